import Foundation
import Testing

/// `vigil authorize --requests` with and without `--batch` on the example index: batching consecutive lines that
/// share a principal, context and session must not change a byte of the output.
@Suite("vigil authorize")
struct AuthorizeCommandTests {
    /// The example's requests crossed: every (action, resource) pair of the file under each line's principal,
    /// context and session, so runs of about twenty lines share a base. A malformed line, a context the
    /// evaluator refuses and a run cut short by a different context are mixed in.
    private func crossedRequests() throws -> [String] {
        let text = try String(contentsOf: CLIRunner.repository.appendingPathComponent("examples/saas/requests.jsonl"),
                              encoding: .utf8)
        let lines = try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        func json(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        var out: [String] = []
        for (n, base) in lines.enumerated() {
            for pair in lines {
                var request = base.filter { ["principal", "context", "session"].contains($0.key) }
                request["action"] = pair["action"]
                request["resource"] = pair["resource"]
                out.append(try json(request))
            }
            if n == 3 { out.append(#"{"principal": "not an entity"}"#) }
            if n == 5 {
                for pair in lines.prefix(3) {
                    out.append(try json(["principal": base["principal"]!, "action": pair["action"]!,
                                         "resource": pair["resource"]!, "context": [1]]))
                }
            }
            if n == 7 { out.insert(try json(lines[0].filter { $0.key != "context" }), at: out.count - 4) }
        }
        return out
    }

    @Test(arguments: [false, true])
    func batchPrintsExactlyWhatSingleDecisionsPrint(withSchema: Bool) throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("index").path
        let compile = try CLIRunner.run([
            "compile", "--policies", "examples/saas/policies", "--entities", "examples/saas/entities.json",
            "--schema", "examples/saas/schema.cedarschema", "--links", "examples/saas/links.json", "--out", index,
        ])
        #expect(compile.status == 0, "\(compile.stderr)")
        let requests = try crossedRequests()
        let file = dir.appendingPathComponent("requests.jsonl").path
        try (requests.joined(separator: "\n") + "\n").write(toFile: file, atomically: false, encoding: .utf8)
        var arguments = ["authorize", "--index", index, "--requests", file]
        if withSchema { arguments += ["--schema", "examples/saas/schema.cedarschema"] }
        let single = try CLIRunner.run(arguments)
        // Only the batched run logs its decisions, to show they went through vigil_decide_batch in runs.
        try FileManager.default.createDirectory(atPath: index + "/rings", withIntermediateDirectories: true)
        let batched = try CLIRunner.run(arguments + ["--batch"])
        let out = single.stdout.split(separator: "\n")
        #expect(out.count == requests.count)
        // The file decides every way: an error line fails the run (exit 1) in both modes alike.
        for decision in ["allow", "deny", "step_up", "error"] {
            #expect(out.contains { $0.contains(#""decision":"\#(decision)""#) }, "no \(decision) line")
        }
        #expect(single.status == 1 && batched.status == 1)
        #expect(batched.stdout == single.stdout)
        #expect(batched.stderr == single.stderr)
        let audit = dir.appendingPathComponent("audit").path
        let drained = try CLIRunner.run(["audit", "drain", "--rings", index + "/rings", "--dir", audit])
        #expect(drained.status == 0, "\(drained.stderr)")
        let records = try String(contentsOfFile: audit + "/audit-000001.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(records.count > requests.count - 10 && records.allSatisfy { $0.contains(#""kind":"batch""#) })
        let positions = records.compactMap { line in
            line.firstRange(of: #""batch_index":"#).flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(positions.max() ?? 0 >= 21, "no run of 22 pairs decided in one call")
    }

    @Test func batchNeedsRequests() throws {
        let r = try CLIRunner.run(["authorize", "--index", "/nonexistent", "--principal", #"User::"a""#,
                                   "--action", #"Action::"b""#, "--resource", #"Doc::"c""#, "--batch"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--batch"), "\(r.stderr)")
    }
}
