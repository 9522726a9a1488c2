import Foundation
import Testing

/// `vigil audit drain` and `vigil audit verify` on a trail of real decisions: the example index compiled,
/// `vigil authorize` deciding the example's requests (logging to `<index>/rings`), drained into a trail.
@Suite("vigil audit")
struct AuditCommandTests {
    /// A trail of the example's decisions in `dir/audit`; returns its first file and the record count.
    private func makeTrail(in dir: URL, maxFileBytes: Int? = nil) throws -> (file: String, records: Int) {
        let index = dir.appendingPathComponent("index").path
        let compile = try CLIRunner.run([
            "compile", "--policies", "examples/saas/policies", "--entities", "examples/saas/entities.json",
            "--schema", "examples/saas/schema.cedarschema", "--links", "examples/saas/links.json", "--out", index,
        ])
        #expect(compile.status == 0, "\(compile.stderr)")
        try FileManager.default.createDirectory(atPath: index + "/rings", withIntermediateDirectories: true)
        let decided = try CLIRunner.run(["authorize", "--index", index, "--requests", "examples/saas/requests.jsonl",
                                         "--schema", "examples/saas/schema.cedarschema"])
        #expect(decided.status == 0, "\(decided.stderr)")
        let requests = decided.stdout.split(separator: "\n").count
        #expect(requests >= 5)
        let audit = dir.appendingPathComponent("audit").path
        var drain = ["audit", "drain", "--rings", index + "/rings", "--dir", audit]
        if let maxFileBytes { drain += ["--max-file-bytes", String(maxFileBytes)] }
        let drained = try CLIRunner.run(drain)
        #expect(drained.status == 0, "\(drained.stderr)")
        #expect(drained.stdout.hasPrefix("drained \(requests) records"), "\(drained.stdout)")
        #expect(drained.stdout.contains("1 finished rings removed"), "\(drained.stdout)")
        return (audit + "/audit-000001.jsonl", requests)
    }

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    private func write(_ lines: [String], _ path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func anIntactTrailVerifies() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, records) = try makeTrail(in: dir)
        let first = try lines(file)[0]
        #expect(first.contains(#""principal":{"type":"User","id":"#) && first.contains(#""effect":"#))
        let r = try CLIRunner.run(["audit", "verify", "--dir", dir.appendingPathComponent("audit").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("ok: \(records) records in 1 file, chain intact"), "\(r.stdout)")
    }

    @Test(arguments: ["edited", "removed", "inserted", "reordered"])
    func aTamperedTrailFailsAtTheBadRecord(_ kind: String) throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, _) = try makeTrail(in: dir)
        var l = try lines(file)
        let bad: Int
        switch kind {
        case "edited":
            l[2] = l[2].replacingOccurrences(of: #""effect":"deny""#, with: #""effect":"allow""#)
                .replacingOccurrences(of: #""effect":"step_up""#, with: #""effect":"allow""#)
                .replacingOccurrences(of: #""gen":"#, with: #""gen":1"#)
            bad = 3
        case "removed":
            l.remove(at: 1)
            bad = 2
        case "inserted":
            l.insert(l[0], at: 3)
            bad = 4
        default:
            l.swapAt(2, 3)
            bad = 3
        }
        try write(l, file)
        let r = try CLIRunner.run(["audit", "verify", "--dir", dir.appendingPathComponent("audit").path])
        #expect(r.status == 1, "\(kind): \(r.stdout)")
        #expect(r.stderr.hasPrefix("\(file):\(bad): error: "), "\(kind): \(r.stderr)")
        #expect(r.stdout.contains("first bad record at \(file):\(bad)"), "\(kind): \(r.stdout)")
    }

    @Test func rotatedTrailVerifiesAcrossFiles() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, records) = try makeTrail(in: dir, maxFileBytes: 4096)
        let r = try CLIRunner.run(["audit", "verify", "--dir", dir.appendingPathComponent("audit").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok: \(records) records in "), "\(r.stdout)")
        #expect(!r.stdout.contains(" in 1 file,"), "\(r.stdout)")
    }

    @Test func aMissingDirectoryIsAUsageError() throws {
        let r = try CLIRunner.run(["audit", "verify", "--dir", "/nonexistent/vigil-audit"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("vigil audit verify:"))
    }
}
