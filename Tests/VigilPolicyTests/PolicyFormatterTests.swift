import Testing
import VigilPolicy

/// Builders for hand-made trees.
private func v(_ name: Variable) -> Expr { Expr(.variable(name)) }
private func long(_ n: Int64) -> Expr { Expr(.literal(.long(n))) }
private func str(_ s: String) -> Expr { Expr(.literal(.string(s))) }
private func bin(_ op: BinaryOp, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a, b)) }
private func neg(_ e: Expr, _ times: Int = 1) -> Expr { un(.negate, e, times) }
private func not(_ e: Expr, _ times: Int = 1) -> Expr { un(.not, e, times) }
private func un(_ op: UnaryOp, _ e: Expr, _ times: Int) -> Expr {
    (0..<times).reduce(e) { x, _ in Expr(.unary(op, x)) }
}
private func attr(_ e: Expr, _ a: String) -> Expr { Expr(.getAttribute(e, a)) }
private func uid(_ type: String, _ id: String) -> Expr {
    Expr(.literal(.entity(EntityUID(type: Name(qualified: type), id: id))))
}
private let ctx = v(.context)

private func parseExpr(_ text: String) throws -> Expr {
    try Parser.parseExpression(SourceFile(name: "formatted", text: text))
}

@Suite("PolicyFormatter: expressions")
struct ExpressionFormatTests {
    /// Each tree, its exact text, and that the text parses back to the same tree.
    static let cases: [(Expr, String)] = [
        // Unary minus and the literal folding.
        (neg(long(5)), "-(5)"),
        (neg(long(-5)), "--5"),
        (neg(long(-5), 3), "----5"),
        (neg(long(-5), 4), "----(-5)"),
        (neg(long(5), 4), "----(5)"),
        (neg(long(5), 5), "----(-(5))"),
        (long(.min), "-9223372036854775808"),
        (long(.max), "9223372036854775807"),
        (neg(long(.min)), "--9223372036854775808"),
        (neg(neg(ctx)), "--context"),
        (not(v(.principal), 4), "!!!!principal"),
        (not(v(.principal), 5), "!!!!(!principal)"),
        (not(v(.principal), 9), "!!!!(!!!!(!principal))"),
        (not(neg(ctx)), "!(-context)"),
        (neg(not(ctx)), "-(!context)"),
        (not(long(-1)), "!(-1)"),
        (not(long(1)), "!1"),
        (Expr(.method(long(-5), "contains", [long(1)])), "(-5).contains(1)"),
        (neg(Expr(.method(long(5), "contains", [long(1)]))), "-5.contains(1)"),
        (attr(not(ctx), "a"), "(!context).a"),
        (neg(attr(ctx, "a")), "-context.a"),
        // Arithmetic and relations.
        (bin(.add, long(1), long(-5)), "1 + -5"),
        (bin(.subtract, long(1), long(-5)), "1 - -5"),
        (bin(.multiply, long(-5), long(2)), "-5 * 2"),
        (bin(.subtract, long(1), bin(.subtract, long(2), long(3))), "1 - (2 - 3)"),
        (bin(.subtract, bin(.subtract, long(1), long(2)), long(3)), "1 - 2 - 3"),
        (bin(.multiply, bin(.add, long(1), long(2)), long(3)), "(1 + 2) * 3"),
        (bin(.add, long(1), bin(.multiply, long(2), long(3))), "1 + 2 * 3"),
        (bin(.equal, bin(.equal, long(1), long(2)), long(3)), "(1 == 2) == 3"),
        (bin(.less, long(1), bin(.add, long(2), long(3))), "1 < 2 + 3"),
        (bin(.in, v(.principal), Expr(.set([uid("G", "a"), uid("G", "b")]))), "principal in [G::\"a\", G::\"b\"]"),
        // Logical operators.
        (bin(.and, v(.principal), bin(.and, v(.action), v(.resource))), "principal && (action && resource)"),
        (bin(.and, bin(.and, v(.principal), v(.action)), v(.resource)), "principal && action && resource"),
        (bin(.or, bin(.and, v(.principal), v(.action)), v(.resource)), "principal && action || resource"),
        (bin(.and, bin(.or, v(.principal), v(.action)), v(.resource)), "(principal || action) && resource"),
        (bin(.or, Expr(.ifThenElse(v(.principal), v(.action), v(.resource))), ctx),
         "(if principal then action else resource) || context"),
        (Expr(.ifThenElse(Expr(.ifThenElse(ctx, ctx, ctx)), Expr(.ifThenElse(ctx, ctx, ctx)), Expr(.ifThenElse(ctx, ctx, ctx)))),
         """
         if
           if context then context else context
         then
           if context then context else context
         else
           if context then context else context
         """),
        (Expr(.ifThenElse(ctx, ctx, bin(.or, ctx, ctx))), "if context then context else context || context"),
        // Attribute access, has, like, is.
        (attr(attr(ctx, "ok_1"), "a b"), "context.ok_1[\"a b\"]"),
        (attr(ctx, "if"), "context[\"if\"]"),
        (attr(ctx, "is"), "context[\"is\"]"),
        (attr(ctx, ""), "context[\"\"]"),
        (attr(ctx, "principal"), "context.principal"),
        (attr(uid("NS::User", "a"), "x"), "NS::User::\"a\".x"),
        (Expr(.hasAttribute(ctx, ["a", "b", "c"])), "context has a.b.c"),
        (Expr(.hasAttribute(ctx, ["a b"])), "context has \"a b\""),
        (Expr(.hasAttribute(ctx, ["true"])), "context has \"true\""),
        (Expr(.hasAttribute(attr(Expr(.hasAttribute(ctx, ["a"])), "b"), ["c"])), "(context has a).b has c"),
        (Expr(.like(attr(ctx, "s"), [.char("a"), .wildcard, .char("*"), .char("\"")])), #"context.s like "a*\*\"""#),
        (Expr(.is(v(.principal), Name(qualified: "NS::User"), in: nil)), "principal is NS::User"),
        (Expr(.is(v(.principal), Name(qualified: "User"), in: uid("Group", "g"))), "principal is User in Group::\"g\""),
        (Expr(.is(v(.principal), Name(qualified: "User"), in: bin(.in, ctx, ctx))),
         "principal is User in (context in context)"),
        (bin(.in, Expr(.is(v(.principal), Name(qualified: "User"), in: nil)), ctx), "(principal is User) in context"),
        // Literals, collections, calls.
        (str("a\"b\\c\n\t\r\0\u{1}\u{7F}é😀\u{2028}"), #""a\"b\\c\n\t\r\0\u{1}\u{7f}é😀\u{2028}""#),
        (Expr(.set([])), "[]"),
        (Expr(.record([])), "{}"),
        (Expr(.record([("a", long(1)), ("if", long(2)), ("b c", long(3)), ("principal", long(4))])),
         "{ a: 1, \"if\": 2, \"b c\": 3, principal: 4 }"),
        (Expr(.method(Expr(.call(Name(basename: "ip"), [str("10.0.0.1")])), "isInRange",
                      [Expr(.call(Name(basename: "ip"), [str("10.0.0.0/8")]))])),
         "ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))"),
        (Expr(.method(Expr(.set([long(1)])), "isEmpty", [])), "[1].isEmpty()"),
        (Expr(.method(Expr(.record([("a", long(1))])), "contains", [long(1)])), "{ a: 1 }.contains(1)"),
    ]

    @Test("prints the expected text, which parses back to the same tree", arguments: cases.indices)
    func printsAndRoundTrips(_ i: Int) throws {
        let (tree, expected) = Self.cases[i]
        let text = PolicyFormatter.format(tree)
        #expect(text == expected)
        #expect(try parseExpr(text) == tree, "\(text)")
    }

    @Test("a dotted has path with a part that is not an identifier prints as Cedar's conjunction")
    func hasPathWithQuotedPart() throws {
        let tree = Expr(.hasAttribute(ctx, ["a", "b c", "d"]))
        let text = PolicyFormatter.format(tree)
        #expect(text == "context has a && context.a has \"b c\" && context.a[\"b c\"] has d")
        let conjunction = bin(.and, bin(.and, Expr(.hasAttribute(ctx, ["a"])), Expr(.hasAttribute(attr(ctx, "a"), ["b c"]))),
                              Expr(.hasAttribute(attr(attr(ctx, "a"), "b c"), ["d"])))
        #expect(try parseExpr(text) == conjunction)
        // Under a tighter operator the conjunction keeps its parentheses.
        #expect(PolicyFormatter.format(not(tree)) == "!(context has a && context.a has \"b c\" && context.a[\"b c\"] has d)")
    }

    @Test("a long && chain breaks one operand per line within 80 columns")
    func breaksLongChains() {
        let parts = (1...6).map { bin(.equal, attr(ctx, "attribute\($0)"), str("value number \($0)")) }
        let chain = parts.dropFirst().reduce(parts[0]) { bin(.and, $0, $1) }
        let text = PolicyFormatter.format(chain)
        #expect(text == (1...6).map { "context.attribute\($0) == \"value number \($0)\"" }.joined(separator: " &&\n"))
    }

    @Test("an && chain inside a broken || chain is indented")
    func indentsNestedChains() {
        let a = bin(.and, attr(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaa"), attr(ctx, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))
        let b = bin(.and, attr(ctx, "cccccccccccccccccccccccc"), attr(ctx, "dddddddddddddddddddddddddddddddd"))
        let text = PolicyFormatter.format(bin(.or, a, bin(.or, b, ctx)))
        #expect(text == """
            context.aaaaaaaaaaaaaaaaaaaaaaaaa && context.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb ||
            (context.cccccccccccccccccccccccc && context.dddddddddddddddddddddddddddddddd ||
             context)
            """)
    }

    @Test("a long set breaks one element per line")
    func breaksLongSets() {
        let set = Expr(.set((1...8).map { uid("Group", "group-number-\($0)") }))
        let text = PolicyFormatter.format(Expr(.method(set, "contains", [v(.principal)])))
        let lines = (1...8).map { "  Group::\"group-number-\($0)\"" }.joined(separator: ",\n")
        #expect(text == "[\n" + lines + "\n].contains(principal)")
    }
}

@Suite("PolicyFormatter: policies")
struct PolicyFormatTests {
    private func reformat(_ text: String) throws -> String {
        PolicyFormatter.format(try Parser.parsePolicies(text))
    }

    @Test("an unconstrained scope stays on one line")
    func unconstrainedScope() throws {
        #expect(try reformat("permit(principal,action,resource);") == "permit (principal, action, resource);\n")
    }

    @Test("annotations one per line, scope constraints one per line, conditions on their own lines")
    func fullLayout() throws {
        let text = """
            @id("p1") @advice forbid(principal==User::"alice",action in[Action::"a",Action::"b"],
            resource is Photo in Album::"x") when{principal.department=="engineering"} unless {context.x};
            """
        #expect(try reformat(text) == """
            @id("p1")
            @advice
            forbid (
              principal == User::"alice",
              action in [Action::"a", Action::"b"],
              resource is Photo in Album::"x"
            )
            when { principal.department == "engineering" }
            unless { context.x };

            """)
    }

    @Test("templates print their slots")
    func templates() throws {
        let text = "permit(principal is User in ?principal, action == NS::Action::\"go\", resource == ?resource);"
        #expect(try reformat(text) == """
            permit (
              principal is User in ?principal,
              action == NS::Action::"go",
              resource == ?resource
            );

            """)
    }

    @Test("a condition too long for one line opens its braces on separate lines")
    func longCondition() throws {
        let text = """
            permit(principal, action, resource) when { principal.department == "HardwareEngineering" && principal.jobLevel >= 5 };
            """
        #expect(try reformat(text) == """
            permit (principal, action, resource)
            when {
              principal.department == "HardwareEngineering" && principal.jobLevel >= 5
            };

            """)
    }

    @Test("policies are separated by a blank line; no policies give empty text; comments are dropped")
    func fileLayout() throws {
        let two = try reformat("// leading\npermit(principal,action,resource); // one\nforbid(principal,action,resource);")
        #expect(two == "permit (principal, action, resource);\n\nforbid (principal, action, resource);\n")
        #expect(PolicyFormatter.format([Policy]()) == "")
    }

    @Test("annotation values and entity ids are re-escaped")
    func escapes() throws {
        let text = #"@note("tab\there \u{1F600} \x41") permit(principal == User::"a\"b", action, resource);"#
        #expect(try reformat(text) == """
            @note("tab\\there 😀 A")
            permit (
              principal == User::"a\\"b",
              action,
              resource
            );

            """)
    }
}
