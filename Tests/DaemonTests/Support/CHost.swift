import Foundation
import Testing

/// examples/hosts/c/decide.c built with plain gcc against vigil.h and the built libvigil, kept running: each
/// request goes to its stdin and its answer is read back, so "the first decision after the response" is a
/// decision by a long-lived C host, not by a fresh process.
final class CHost {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    init(index: URL, in directory: URL) throws {
        let lib = directory.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent("libvigil.so.0").path,
            withDestinationPath: Paths.products.appendingPathComponent("libVigilC.so").path)
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent("libvigil.so").path, withDestinationPath: "libvigil.so.0")
        let program = directory.appendingPathComponent("decide").path
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gcc.arguments = ["gcc", "-std=c11", "-Wall", "-Werror", "-O2",
                         "-I\(Paths.repository.path)/Sources/CVigil/include",
                         "\(Paths.repository.path)/examples/hosts/c/decide.c", "-L\(lib.path)", "-lvigil",
                         "-Wl,-rpath,\(lib.path)", "-o", program]
        try gcc.run()
        gcc.waitUntilExit()
        try #require(gcc.terminationStatus == 0, "gcc failed to build the C host")
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [index.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// Decides one request: "allow", "deny" or "step_up", then a tab and the determining policies.
    func decide(principal: (String, String), action: String, resource: (String, String), context: String = "",
                session: String = "") throws -> String {
        let line = [principal.0, principal.1, "Action", action, resource.0, resource.1, context, session]
            .joined(separator: "\t") + "\n"
        input.fileHandleForWriting.write(Data(line.utf8))
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let answer = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return answer
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw HTTPClient.Failure(description: "the C host exited") }
            buffer.append(chunk)
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
