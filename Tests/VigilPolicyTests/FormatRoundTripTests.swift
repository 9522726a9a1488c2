import Testing
import VigilPolicy

/// parse ∘ format = id, and format is idempotent, on thousands of random syntax trees.
@Suite("PolicyFormatter: round trip of random trees")
struct FormatRoundTripTests {
    @Test("random policies and templates parse back from their formatted text")
    func randomPolicies() {
        let count = FuzzSettings.iterations(default: 3000)
        var failures = 0
        for i in 0..<count where failures < FuzzSettings.maxReportedFailures {
            let seed = FuzzSettings.seed &+ UInt64(i)
            var generator = RandomPolicyGenerator(seed: seed)
            let policy = generator.policy()
            let text = PolicyFormatter.format(policy)
            let problem: String?
            do {
                let back = try Parser.parsePolicies(text)
                problem = back != [policy] ? "parses to a different policy"
                    : back.map { PolicyFormatter.format($0) } != [text] ? "formatting is not idempotent" : nil
            } catch {
                problem = "does not parse: \(error.all[0])"
            }
            if let problem {
                failures += 1
                Issue.record("seed \(seed) (VIGIL_FUZZ_SEED=\(seed) VIGIL_FUZZ_ITERATIONS=1): \(problem)\n\(text)\n\(String(reflecting: policy))")
            }
        }
    }

    @Test("random expressions parse back from their formatted text")
    func randomExpressions() {
        let count = FuzzSettings.iterations(default: 3000)
        var failures = 0
        for i in 0..<count where failures < FuzzSettings.maxReportedFailures {
            let seed = FuzzSettings.seed &+ UInt64(i) &* 31
            var generator = RandomPolicyGenerator(seed: seed)
            generator.slotsInExpressions = true
            let expr = generator.expression(depth: 6)
            let text = PolicyFormatter.format(expr)
            let problem: String?
            do {
                let back = try Parser.parseExpression(SourceFile(name: "formatted", text: text))
                problem = back != expr ? "parses to a different expression"
                    : PolicyFormatter.format(back) != text ? "formatting is not idempotent" : nil
            } catch {
                problem = "does not parse: \(error.all[0])"
            }
            if let problem {
                failures += 1
                Issue.record("seed \(seed): \(problem)\n\(text)\n\(String(reflecting: expr))")
            }
        }
    }

    /// The deepest tree of each shape that the parser accepts still parses back from its formatted text: the
    /// formatter adds no parentheses beyond what precedence needs, so it never nests deeper than its input.
    @Test(
        "trees at the parser's depth limit survive the round trip",
        arguments: [("[", "]"), ("{a: ", "}"), ("1 - (", ")"), ("!(", " && true)"), ("(", ").a"),
                    ("context.contains(", ")"), ("if ", " then 1 else 2"), ("if true then 1 else ", ""),
                    ("-(", " + 1)"), ("(context has a || ", ") has b")])
    func depthLimit(_ open: String, _ close: String) throws {
        func policy(_ n: Int) -> String {
            "permit(principal, action, resource) when { " + String(repeating: open, count: n) + "context"
                + String(repeating: close, count: n) + " };"
        }
        var n = 0
        while (try? Parser.parsePolicies(policy(n + 1))) != nil, n < 1000 { n += 1 }
        #expect(n >= 30 && n < 1000, "depth limit for `\(open)`: \(n)")
        let deepest = try Parser.parsePolicies(policy(n))
        let formatted = PolicyFormatter.format(deepest)
        #expect(try Parser.parsePolicies(formatted) == deepest, "\(formatted)")
    }
}
