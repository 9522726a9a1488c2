import Foundation
import TestSupport

/// Compiles and runs a small C program against the CVigil headers, so tests compare Swift's numbers with the C
/// compiler's own (`sizeof`, `offsetof`, enum values) rather than with a copy typed into the test.
enum CProbe {
    /// `Sources/CVigil`, found from this file's path.
    static let headers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/CVigil").path

    /// Runs `main` (the body of a C `main`, with vigil_format.h and vigil_opcodes.h included) and returns its
    /// output as `name value` pairs, one per line.
    static func run(_ main: String) throws -> [String: Int] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cprobe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("probe.c")
        let binary = dir.appendingPathComponent("probe")
        try """
            #include <stdio.h>
            #include <stddef.h>
            #include "vigil_format.h"
            #include "vigil_opcodes.h"
            #define P(name, v) printf("%s %lld\\n", name, (long long)(v))
            int main(void) {
            \(main)
            return 0; }
            """.write(to: source, atomically: true, encoding: .utf8)
        _ = try shell("/usr/bin/cc", ["-std=c11", "-I", headers, source.path, "-o", binary.path])
        var out: [String: Int] = [:]
        for line in try shell(binary.path, []).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Int(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    private static func shell(_ path: String, _ args: [String]) throws -> String {
        let (status, text) = try TestProcess.run(path, args)
        guard status == 0 else { throw ProbeError(output: text) }
        return text
    }

    struct ProbeError: Error, CustomStringConvertible {
        var output: String
        var description: String { "C probe failed: \(output)" }
    }
}

/// Reads a little-endian u32 at `offset`.
func u32(_ b: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[offset + $1]) << UInt32(8 * $1) }
}

/// Reads a little-endian i64 at `offset`.
func i64(_ b: [UInt8], _ offset: Int) -> Int64 {
    Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[offset + $1]) << UInt64(8 * $1) })
}
