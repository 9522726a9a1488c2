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
}
