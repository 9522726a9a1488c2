import Foundation
import TestSupport
import Testing

/// Real processes for the integration tests: the built `vigil` and `libVigilC.so`, and the C reader
/// (c/generation_reader.c) compiled with plain gcc against vigil.h and libvigil, as a user's host would be.
enum HostProcesses {
    /// The repository root, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The build folder holding the test bundle, `vigil` and `libVigilC.so`.
    static let binDirectory: URL? = {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("libVigilC.so").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs a program to completion, returning its status and its output and error together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestProcess.run(executable, arguments, in: repository)
    }

    /// Builds the C reader into `directory`, linked against the built libvigil through its soname
    /// (`libvigil.so.0`, linked beside it, as scripts/install-libvigil.sh installs it).
    static func buildReader(in directory: URL) throws -> String {
        let bin = try #require(binDirectory, "libVigilC.so not found near \(Bundle.main.bundleURL.path)")
        let lib = directory.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent("libvigil.so.0").path,
            withDestinationPath: bin.appendingPathComponent("libVigilC.so").path)
        try FileManager.default.createSymbolicLink(
            atPath: lib.appendingPathComponent("libvigil.so").path, withDestinationPath: "libvigil.so.0")
        let program = directory.appendingPathComponent("generation_reader").path
        let gcc = try run("gcc", [
            "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-ISources/CVigil/include",
            "Tests/IntegrationTests/c/generation_reader.c", "-L\(lib.path)", "-lvigil", "-Wl,-rpath,\(lib.path)",
            "-o", program,
        ])
        try #require(gcc.status == 0, "gcc failed:\n\(gcc.output)")
        return program
    }
}

/// One running c/generation_reader.c process.
final class ReaderProcess {
    /// The counts a reader prints when stopped.
    struct Counts {
        var batches = 0, decisions = 0, generations = 0, first = 0, last = 0, impossible = 0, errors = 0
        var backwards = 0
        /// The reader's standard error: its description of the first impossible batches.
        var complaints = ""
    }

    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var seen = Data()

    /// Starts a reader on `index` and waits until it has answered its first batch.
    init(program: String, index: URL, parity: Bool) throws {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [index.path, String(GenerationWorld.documents)] + (parity ? ["--parity"] : [])
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        while !String(decoding: seen, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let complaint = String(decoding: errors.fileHandleForReading.availableDataIfExited(process), as: UTF8.self)
        try #require(String(decoding: seen, as: UTF8.self).hasPrefix("ready"), "reader did not start: \(complaint)")
    }

    /// Stops the reader (SIGTERM) and returns what it counted.
    func stop() throws -> Counts {
        process.terminate()
        seen.append(output.fileHandleForReading.readDataToEndOfFile())
        let complaints = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var counts = Counts(complaints: String(decoding: complaints, as: UTF8.self))
        try #require(process.terminationStatus == 0, "reader exited \(process.terminationStatus)")
        let line = String(decoding: seen, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        var fields: [String: Int] = [:]
        for pair in line.split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { fields[String(parts[0])] = n }
        }
        try #require(fields.count == 8, "unexpected reader output: \(line)")
        counts.batches = fields["batches"] ?? 0
        counts.decisions = fields["decisions"] ?? 0
        counts.generations = fields["generations"] ?? 0
        counts.first = fields["first"] ?? 0
        counts.last = fields["last"] ?? 0
        counts.impossible = fields["impossible"] ?? 0
        counts.errors = fields["errors"] ?? 0
        counts.backwards = fields["backwards"] ?? 0
        return counts
    }
}

extension FileHandle {
    /// What the process wrote, once it has exited; nothing while it still runs (so a live reader never blocks us).
    fileprivate func availableDataIfExited(_ process: Process) -> Data {
        process.isRunning ? Data() : readDataToEndOfFile()
    }
}

/// A setting from the environment, for scaling a test down where it must run in less time.
func environmentCount(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
}
