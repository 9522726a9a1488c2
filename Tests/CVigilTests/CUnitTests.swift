import CVigil
import Foundation
import TestSupport
import Testing

/// Runs the C evaluator's own tests: `c/*.c` compiled with the evaluator's sources by plain gcc (C11, every warning
/// an error) into one program, which checks the extension parsers against the cedarpy-checked tables, values,
/// context JSON, the verifier and VM on hand-assembled programs, whole decisions on a hand-written index, and
/// fuzzes contexts and corrupted records. The C program prints each failed check with its file and line.
@Suite struct CUnitTests {
    /// The repository root, found from this file's path.
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a program from the repository root, returning its exit status and its output.
    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestProcess.run(executable, arguments, in: root)
    }

    private static func cFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(".c") }.sorted().map { "\(directory)/\($0)" }
    }

    @Test func cTestProgramPasses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ctest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("ctest").path
        let sources = try Self.cFiles(in: "Sources/CVigil") + Self.cFiles(in: "Tests/CVigilTests/c")
        let flags = ["-std=c11", "-Wall", "-Werror", "-O1", "-ISources/CVigil", "-ISources/CVigil/include"]
        let compile = try Self.run("gcc", flags + sources + ["-llmdb", "-lpthread", "-o", program])
        #expect(compile.status == 0, "gcc failed:\n\(compile.output)")
        guard compile.status == 0 else { return }
        let result = try Self.run(program, [])
        #expect(result.status == 0, "C tests failed:\n\(result.output)")
        #expect(result.output.contains(" checks, 0 failures"), "\(result.output)")
    }

    /// The module links from Swift too, so the compiler's reader can call the evaluator.
    @Test func statusTextAndVersionsThroughTheModule() {
        #expect(String(cString: vigil_strerror(VIGIL_E_CORRUPT)).hasPrefix("VIGIL_E_CORRUPT:"))
        #expect(String(cString: vigil_strerror(12345)).hasPrefix("VIGIL_E_UNKNOWN"))
        #expect(vigil_format_version() == 2)
        #expect(String(cString: vigil_version()) == "0.1.0")
    }
}
