import Testing
import VigilPolicy

/// Malformed policies: each must be rejected with the right diagnostic code at the right line and column, and
/// never crash. The positions were checked by hand against the inputs.
@Suite("Parser errors")
struct ParserErrorTests {
    @Test(arguments: [
        ("permit(principal, action, resource)", "vigil.parse.unexpected_token", 1, 36),
        ("permit(principal, action, resource) when { principal.age = 3 };", "vigil.parse.single_equals", 1, 58),
        ("allow(principal, action, resource);", "vigil.parse.invalid_effect", 1, 1),
        ("permit(principal, action, resource) when { 1 / 2 };", "vigil.parse.division", 1, 46),
        ("permit(principal, action, resource) when { 1 % 2 };", "vigil.parse.remainder", 1, 46),
        ("permit(principal, action, resource) when { !!!!!true };", "vigil.parse.too_many_unary", 1, 44),
        ("permit(principal, action, resource) when { 9223372036854775808 };", "vigil.parse.integer_too_large", 1, 44),
        ("permit(principal, action, resource) when { \"abc };", "vigil.parse.unterminated_string", 1, 44),
        ("permit(principal, action, resource) when { \"a\\qb\" };", "vigil.parse.invalid_escape", 1, 46),
        ("permit(principal == ?resource, action, resource);", "vigil.parse.wrong_slot", 1, 21),
        ("permit(principal, action == User::\"a\", resource);", "vigil.parse.expected_action", 1, 29),
        ("permit(principal, action, resource) when { ?principal };", "vigil.parse.slot_in_condition", 1, 44),
        ("permit(principal, action, resource) when { foo };", "vigil.parse.unknown_variable", 1, 44),
        ("permit(principal, action, resource) when { context.foo(1) };", "vigil.parse.unknown_method", 1, 52),
        ("permit(principal, action, resource) when { isIpv4(ip(\"1.2.3.4\")) };", "vigil.parse.method_as_function", 1, 44),
        ("permit(principal, action, resource) when { 1 < 2 < 3 };", "vigil.parse.chained_relation", 1, 50),
        ("permit(principal, action, resource) when {};", "vigil.parse.empty_condition", 1, 37),
        ("permit(resource, action, principal);", "vigil.parse.wrong_scope_variable", 1, 8),
        ("permit(principal, action, resource, context);", "vigil.parse.extra_scope_element", 1, 37),
        ("@id(\"a\") @id(\"b\") permit(principal, action, resource);", "vigil.parse.duplicate_annotation", 1, 10),
        ("permit(principal, action, resource) when { {a: 1, a: 2} };", "vigil.parse.duplicate_key", 1, 51),
        ("permit(principal, action, resource) when { context[1] };", "vigil.parse.index_needs_string", 1, 52),
        ("permit(principal, action, resource) when { context.if };", "vigil.parse.reserved_identifier", 1, 52),
        ("permit(principal in Group::\"a\" is User, action, resource);", "vigil.parse.in_before_is", 1, 32),
        ("permit(principal, action is Action, resource);", "vigil.parse.is_in_action_scope", 1, 26),
        ("permit(principal, action, resource) when { context like 3 };", "vigil.parse.like_needs_pattern", 1, 57),
        ("permit(principal, action, resource) when { principal is User::\"x\" };", "vigil.parse.is_needs_type", 1, 57),
        ("permit(principal, action, resource) unles { true };", "vigil.parse.invalid_condition", 1, 37),
        ("permit(principal: User, action, resource);", "vigil.parse.type_constraint", 1, 17),
        ("permit(principal, action, resource) when { User };", "vigil.parse.unknown_variable", 1, 44),
        ("permit(principal, action, resource) when { if true then 1 };", "vigil.parse.unexpected_token", 1, 59),
        ("permit(principal, action, resource) when { [1, 2 };", "vigil.parse.unexpected_token", 1, 50),
        ("permit(principal, action, resource) when { # };", "vigil.parse.invalid_character", 1, 44),
        ("permit(principal, action, resource) when { true } ; permit(principal, action resource); forbid(principal,action,resource) when { 1 + };", "vigil.parse.invalid_scope_operator", 1, 78),
        ("permit(\n  principal,\n  action,\n  resource\n) when {\n  context.a &&\n  context.b ==\n};", "vigil.parse.unexpected_token", 8, 1),
        ("// comment\n@id(\"x\"\npermit(principal, action, resource);", "vigil.parse.unexpected_token", 3, 1),
        ("permit(principal, action, resource) when { {if: 1} };", "vigil.parse.reserved_identifier", 1, 45),
        ("permit(principal, action, resource) when { {\"é\": 1, \"é\": 2} };", "vigil.parse.duplicate_key", 1, 53),
    ] as [(String, String, Int, Int)])
    func rejectsWithLocatedError(source: String, code: String, line: Int, column: Int) {
        do {
            let policies = try Parser.parsePolicies(source, name: "bad.cedar")
            Issue.record("accepted malformed policy: \(policies)")
        } catch {
            let first = error.all[0]
            #expect(first.code == code, "\(source)")
            #expect(first.location?.line == line, "\(source)")
            #expect(first.location?.column == column, "\(source)")
            #expect(first.file?.name == "bad.cedar")
        }
    }

    @Test func reportsEveryBrokenPolicyInOneRun() {
        let source = """
            permit(principal, action, resource) when { 1 + };
            permit(principal, action, resource);
            forbid(principal, action == User::"x", resource);
            permit(principal, action, resource) when { context.a = 1 };
            """
        do {
            _ = try Parser.parsePolicies(source, name: "many.cedar")
            Issue.record("accepted broken policies")
        } catch {
            #expect(error.all.map { $0.location!.line } == [1, 3, 4])
        }
    }

    @Test func overlongChainIsRefusedAtTheOperandPastTheLimit() {
        // 5,000 operands of 13 characters each after a 43-character prefix; the limit trips at operand 4,096.
        let source = "permit(principal, action, resource) when { "
            + Array(repeating: "context.a", count: 5000).joined(separator: " && ") + " };"
        do {
            _ = try Parser.parsePolicies(source)
            Issue.record("accepted a chain taller than Parser.maxHeight")
        } catch {
            let d = error.all[0]
            #expect(d.code == "vigil.parse.too_deep")
            #expect(d.location?.column == 44 + 13 * 4095)
        }
    }

    @Test func canonicallyEquivalentKeysAreDistinctAsInCedar() throws {
        // `é` precomposed and `e` + combining acute are different keys for Cedar, which compares code points.
        let policies = try Parser.parsePolicies("permit(principal, action, resource) when { {\"\u{e9}\": 1, \"e\u{301}\": 2} has \"e\u{301}\" };")
        #expect(policies.count == 1)
    }

    @Test func renderedErrorShowsSourceLineAndCaret() {
        do {
            _ = try Parser.parsePolicies("permit(principal, action, resource)\nwhen { principal.age = 3 };", name: "p.cedar")
            Issue.record("accepted")
        } catch {
            let text = error.all[0].rendered()
            #expect(text.hasPrefix("p.cedar:2:22: error: '=' is not a valid operator in Cedar"))
            #expect(text.contains("2 | when { principal.age = 3 };"))
            #expect(text.contains("  |                      ^"))
            #expect(text.contains("help: try using `==` instead"))
        }
    }

    @Test func acceptsEveryScopeForm() throws {
        let policies = try Parser.parsePolicies("""
            @id("a") @step_up("2") @flag
            permit(principal == User::"alice", action == Action::"read", resource in Folder::"f");
            permit(principal in ?principal, action in [Action::"a", NS::Action::"b"], resource is Doc in ?resource);
            forbid(principal is User, action in Action::"group", resource == ?resource)
              when { context.x has a.b && resource["q"] like "a*\\*" } unless { -9223372036854775808 < 0 };
            """)
        #expect(policies.count == 3)
        #expect(policies[0].annotation("id") == "a")
        #expect(policies[0].annotation("flag") == "")
        #expect(policies[1].isTemplate)
        #expect(policies[1].action == .inSet([EntityUID(type: Name(basename: "Action"), id: "a"),
                                              EntityUID(type: Name(namespace: ["NS"], basename: "Action"), id: "b")]))
        #expect(policies[2].resource == .equals(.slot(.resource)))
        guard case .binary(.and, let has, let like) = policies[2].conditions[0].body.kind else {
            Issue.record("expected &&"); return
        }
        #expect(has.kind == .hasAttribute(Expr(.getAttribute(Expr(.variable(.context)), "x")), ["a", "b"]))
        #expect(like.kind == .like(Expr(.getAttribute(Expr(.variable(.resource)), "q")), [.char("a"), .wildcard, .char("*")]))
        guard case .binary(.less, let min, _) = policies[2].conditions[1].body.kind else { Issue.record("expected <"); return }
        #expect(min.kind == .literal(.long(Int64.min)))
    }
}
