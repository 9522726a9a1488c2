import Foundation
import Testing

@Suite("vigil check")
struct CheckCommandTests {
    @Test func validExampleExitsZero() throws {
        let r = try CLIRunner.run([
            "check", "examples/saas/policies", "--schema", "examples/saas/schema.cedarschema",
            "--entities", "examples/saas/entities.json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("ok: "))
        #expect(r.stdout.contains("valid against examples/saas/schema.cedarschema"))
        #expect(r.stderr.isEmpty)
    }

    @Test func brokenExampleExitsOneWithLocatedErrors() throws {
        let r = try CLIRunner.run(["check", "examples/saas/broken", "--schema", "examples/saas/schema.cedarschema"])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("error: "))
        // Every diagnostic header is file:line:col: error: …
        let headers = r.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(!headers.isEmpty)
        for h in headers {
            #expect(h.range(of: #"^examples/saas/broken/[^:]+\.cedar:\d+:\d+: error: "#, options: .regularExpression) != nil, "\(h)")
        }
        #expect(r.stderr.contains("^"))
    }

    @Test func syntaxErrorsInSeveralFilesAreAllReported() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "permit(principal, action, resource) when { 1 / 2 };".write(
            to: dir.appendingPathComponent("a.cedar"), atomically: true, encoding: .utf8)
        try "permit(principal, action, resource);\nforbid(principal, action, resource) when { x };".write(
            to: dir.appendingPathComponent("b.cedar"), atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["check", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("a.cedar:1:46: error: division is not supported"))
        #expect(r.stderr.contains("b.cedar:2:44: error: invalid variable `x`"))
        #expect(r.stdout.contains("2 errors in 2 policy files"))
    }

    @Test func jsonOutputCarriesLocations() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.cedar")
        try "permit(principal, action, resource)\nwhen { principal.a = 1 };".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["check", file.path, "--format", "json"])
        #expect(r.status == 1)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let diags = doc?["diagnostics"] as? [[String: Any]]
        let loc = diags?.first?["location"] as? [String: Any]
        #expect(doc?["valid"] as? Bool == false)
        #expect(diags?.first?["code"] as? String == "vigil.parse.single_equals")
        #expect(loc?["line"] as? Int == 2)
        #expect(loc?["column"] as? Int == 20)
    }

    @Test func missingFileIsAUsageError() throws {
        let r = try CLIRunner.run(["check", "no/such/dir"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no such file or directory: `no/such/dir`"))
    }

    @Test func helpExplainsTheCommand() throws {
        let r = try CLIRunner.run(["check", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--schema <file>"))
        #expect(r.stdout.contains("Exit status: 0 when everything is valid"))
    }
}
