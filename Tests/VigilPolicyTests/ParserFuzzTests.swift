import Testing
import VigilPolicy

/// The parser on hostile input: it must return policies or throw `Diagnostics` located inside the file, never
/// crash or hang, and whatever it accepts must survive format-then-parse (see `parserProblem`).
///
/// Short and deterministic by default; `scripts/fuzz-parser.sh` runs the same tests for many more iterations.
@Suite("Parser fuzz")
struct ParserFuzzTests {
    /// Runs `count` inputs from `make`, recording at most a few failures with the seed that replays each.
    private func fuzz(_ label: String, count: Int, salt: UInt64, _ make: (inout RandomPolicyGenerator) -> String) {
        var failures = 0
        for i in 0..<count where failures < FuzzSettings.maxReportedFailures {
            let seed = FuzzSettings.seed &+ salt &+ UInt64(i)
            var generator = RandomPolicyGenerator(seed: seed)
            let input = make(&generator)
            if let problem = parserProblem(input) {
                failures += 1
                Issue.record("\(label), seed \(seed): \(problem)\ninput: \(input.debugDescription)")
            }
        }
    }

    @Test("random bytes")
    func randomBytes() {
        fuzz("random bytes", count: FuzzSettings.iterations(default: 3000), salt: 1 << 40) { g in
            // Mostly the characters Cedar is made of, some arbitrary bytes (invalid UTF-8 becomes U+FFFD).
            let alphabet = Array("permitforbidwhenunlessprincipalactionresourcecontext ()[]{},;:.@?=!<>&|+-*/%\"\\_0129\n\t#é".utf8)
            let bytes: [UInt8] = (0..<g.int(0...160)).map { _ in
                g.chance(80) ? g.pick(alphabet) : UInt8(truncatingIfNeeded: g.rng.next())
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test("token soup")
    func tokenSoup() {
        fuzz("token soup", count: FuzzSettings.iterations(default: 3000), salt: 2 << 40) { g in
            (0..<g.int(0...50)).map { _ in g.pick(Self.tokens) }.joined(separator: g.pick([" ", "", "\n"]))
        }
    }

    @Test("mutated valid policies")
    func mutations() {
        var seeds = FuzzSettings.seedFiles + Self.seedPolicies
        var g = RandomPolicyGenerator(seed: FuzzSettings.seed)
        seeds += (0..<100).map { _ in PolicyFormatter.format([g.policy()]) }
        fuzz("mutation", count: FuzzSettings.iterations(default: 3000), salt: 3 << 40) { g in
            var bytes = Array(g.pick(seeds).utf8)
            for _ in 0..<g.int(1...3) { Self.mutate(&bytes, &g) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// 100,000 open parentheses as the brief demands; the other shapes at 20,000, already far past the limit.
    @Test(
        "deep nesting is refused with a located error, not a stack overflow",
        arguments: [
            String(repeating: "(", count: 100_000),
            String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000),
            String(repeating: "[", count: 20_000),
            String(repeating: "{a:", count: 20_000),
            String(repeating: "if ", count: 20_000),
            String(repeating: "context.contains(", count: 20_000),
            String(repeating: "ip(", count: 20_000),
            String(repeating: "!(", count: 20_000),
            String(repeating: "-(", count: 20_000),
            String(repeating: "1 - (", count: 20_000),
        ])
    func deepNesting(_ prefix: String) {
        let policy = SourceFile(name: "deep.cedar", text: "permit(principal, action, resource) when { " + prefix + " };")
        let policyError = #expect(throws: Diagnostics.self) { try Parser.parsePolicies(policy) }
        let expression = SourceFile(name: "deep.cedar", text: prefix)
        let exprError = #expect(throws: Diagnostics.self) { try Parser.parseExpression(expression) }
        for (error, file) in [(policyError, policy), (exprError, expression)] {
            #expect(error?.all.contains { $0.code == "vigil.parse.too_deep" } == true)
            #expect(error.flatMap { badDiagnostic($0, file) } == nil)
        }
    }

    @Test("long flat chains of realistic length parse and round-trip", arguments: ["&&", "||", "+", "*", "==", "."])
    func longChains(_ op: String) {
        let body = op == "." ? "context" + String(repeating: ".a", count: 1000)
            : op == "==" ? Array(repeating: "(context.a == 1)", count: 1000).joined(separator: " && ")
            : Array(repeating: "context.a", count: 1000).joined(separator: " \(op) ")
        #expect(parserProblem("permit(principal, action, resource) when { \(body) };") == nil)
    }

    @Test(
        "very long flat chains are refused or parsed without a stack overflow",
        arguments: ["&&", "+", "*", "."])
    func veryLongChains(_ op: String) {
        let body = op == "." ? "context" + String(repeating: ".a", count: 100_000)
            : Array(repeating: "context.a", count: 100_000).joined(separator: " \(op) ")
        _ = parserProblem("permit(principal, action, resource) when { \(body) };")
        _ = parserProblem(body)
    }

    // MARK: - Inputs

    static let tokens: [String] = [
        "permit", "forbid", "when", "unless", "principal", "action", "resource", "context", "(", ")", "{", "}", "[",
        "]", ",", ";", ":", "::", ".", "@", "@id", "?principal", "?resource", "?x", "?", "==", "!=", "<", "<=", ">",
        ">=", "&&", "||", "!", "-", "+", "*", "/", "%", "=", "&", "|", "in", "is", "has", "like", "if", "then",
        "else", "true", "false", "User", "Action", "NS", "a", "_", "\"a\"", "\"\"", "\"\\u{1F600}\"", "\"\\q\"",
        "\"\\x80\"", "\"\\u{110000}\"", "\"\\u{}\"", "\"unterminated", "\"\\", "\"*\"", "\"\\*\"", "0", "-1",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999", "ip", "decimal",
        "datetime", "duration", "contains", "isEmpty", "getTag", "lessThan", "//c\n", "é", "#", "$", "\\", "\0", "\r",
        "User::\"a\"", "Action::\"view\"", "principal ==", "action in [", "resource is", "when {", "};",
    ]

    /// A few hand-written policies in the shapes users write, beside the conformance files.
    static let seedPolicies: [String] = [
        """
        @id("alice-photos") permit(principal == User::"alice", action in [Action::"view", Action::"edit"],
          resource in Album::"vacation") when { resource.owner == principal && context.mfa } unless { resource.private };
        """,
        """
        forbid(principal is User in Group::"contractors", action, resource is Doc)
        when { if context has ip then !context.ip.isInRange(ip("10.0.0.0/8")) else true };
        """,
        """
        @step_up("2") @max_age("300") forbid(principal, action == Action::"pay", resource)
        unless { context.session.aal >= 2 && -context.x * 3 + 4 < 10 || [1, -2, "x"].containsAny(context.s) };
        """,
        """
        permit(principal == ?principal, action, resource in ?resource)
        when { {a: 1, "b c": [true, false], d: decimal("1.5")}["b c"].isEmpty() && resource.tags.hasTag("k") };
        """,
        """
        permit(principal, action, resource) when { context.name like "a*b\\*c" && context has a.b.c &&
          datetime("2024-01-01").offset(duration("1h")) > context.t && principal.getTag("t") == -9223372036854775808 };
        """,
    ]

    /// One random edit: delete, insert, swap or duplicate, of bytes or of whole tokens.
    static func mutate(_ bytes: inout [UInt8], _ g: inout RandomPolicyGenerator) {
        let tokens = Lexer.tokenize(bytes).dropLast()  // the end-of-file token has no bytes
        let byTokens = !tokens.isEmpty && g.chance(50)
        func range() -> Range<Int> {
            if byTokens {
                let t = g.pick(Array(tokens))
                return t.start..<t.end
            }
            guard !bytes.isEmpty else { return 0..<0 }
            let start = g.int(0...(bytes.count - 1))
            return start..<min(bytes.count, start + g.int(1...4))
        }
        switch g.int(0...3) {
        case 0:
            bytes.removeSubrange(range())
        case 1:
            let insert: [UInt8]
            if byTokens {
                let t = g.pick(Array(tokens))
                insert = Array(bytes[t.start..<t.end]) + [0x20]
            } else {
                insert = g.chance(70) ? Array(g.pick(Self.tokens).utf8) : [UInt8(truncatingIfNeeded: g.rng.next())]
            }
            bytes.insert(contentsOf: insert, at: bytes.isEmpty ? 0 : g.int(0...bytes.count))
        case 2:
            let a = range(), b = range()
            guard a.upperBound <= b.lowerBound || b.upperBound <= a.lowerBound else { return }
            let (first, second) = a.lowerBound < b.lowerBound ? (a, b) : (b, a)
            let x = Array(bytes[first]), y = Array(bytes[second])
            bytes.replaceSubrange(second, with: x)
            bytes.replaceSubrange(first, with: y)
        default:
            let r = range()
            bytes.insert(contentsOf: bytes[r], at: r.upperBound)
        }
    }
}
