import Foundation
import Testing

@Suite("vigil fmt")
struct FormatCommandTests {
    @Test func formatsInPlaceKeepsCommentsAndIsIdempotent() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.cedar")
        try """
            // Admins may do anything.
            @id("admins")   permit(principal in Group::"admins",action,resource);   // trailing note
            forbid(principal,action,resource) when {context.risk>80};
            // end of file
            """.write(to: file, atomically: true, encoding: .utf8)
        let check1 = try CLIRunner.run(["fmt", "--check", file.path])
        #expect(check1.status == 1)
        #expect(check1.stdout.contains("is not formatted"))

        let r = try CLIRunner.run(["fmt", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasPrefix("// Admins may do anything.\n@id(\"admins\")\n"))
        #expect(text.contains("// trailing note"))
        #expect(text.hasSuffix("// end of file\n"))
        #expect(text.contains("context.risk > 80"))

        let check2 = try CLIRunner.run(["fmt", "--check", file.path])
        #expect(check2.status == 0, "formatting is not idempotent:\n\(text)")
    }

    @Test func bundledExampleIsFormatted() throws {
        let r = try CLIRunner.run(["fmt", "--check", "examples/saas/policies"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test func keepsBlankLinesAroundComments() throws {
        let source = "// Header.\n\n// About a.\npermit (principal, action, resource);\n"
        let r = try CLIRunner.run(["fmt", "-"], stdin: source)
        #expect(r.stdout == source)
    }

    @Test func refusesToDropACommentInsideAPolicy() throws {
        let r = try CLIRunner.run(["fmt", "-"], stdin: "permit(principal, action, resource) when {\n  // why\n  true\n};\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("<stdin>:2:3: error: cannot keep a comment inside a policy when formatting"))
    }

    @Test func syntaxErrorIsReportedAndFileUntouched() throws {
        let dir = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.cedar")
        let original = "permit(principal, action, resource) when { 1 + };"
        try original.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["fmt", file.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.cedar:1:48: error: expected an expression"))
        #expect(try String(contentsOf: file, encoding: .utf8) == original)
    }
}
