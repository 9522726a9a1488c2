import Testing
import VigilPolicy

/// One invalid policy: the code of an error it must have, where that error points, and a fragment of its message.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    var policy: String
    var code: String
    var line: Int
    var column: Int
    var message: String

    var testDescription: String { code + ": " + policy.split(separator: "\n").joined(separator: " ") }
}

/// A `view` policy whose condition `body` is on line 2, starting at column 8.
private func when(_ body: String, _ code: String, column: Int, _ message: String) -> InvalidCase {
    InvalidCase(policy: Fixture.view + "\nwhen { \(body) };", code: code, line: 2, column: column, message: message)
}

private let cases: [InvalidCase] = [
    // Names the schema does not declare.
    InvalidCase(
        policy: #"permit(principal == Usr::"a", action, resource);"#, code: "vigil.validate.unknown_entity_type",
        line: 1, column: 8, message: "unrecognized entity type `Usr`"),
    InvalidCase(
        policy: "permit(\n  principal,\n  action == Action::\"delete\",\n  resource\n);",
        code: "vigil.validate.unknown_action", line: 3, column: 3, message: #"unrecognized action `Action::"delete"`"#),
    InvalidCase(
        policy: #"permit(principal, action == Action::"share", resource == Color::"green");"#,
        code: "vigil.validate.invalid_enum_entity", line: 1, column: 46, message: #"`"green"` is not declared"#),
    InvalidCase(
        policy: #"permit(principal is Group, action == Action::"view", resource);"#,
        code: "vigil.validate.no_applicable_action", line: 1, column: 8,
        message: "unable to find an applicable action"),
    when("principal is Usr", "vigil.validate.unknown_entity_type", column: 8, "unrecognized entity type `Usr`"),
    // Type errors.
    when("principal.age", "vigil.validate.unexpected_type", column: 8, "expected Bool but saw Long"),
    when(#"principal.nmae == "x""#, "vigil.validate.attribute_not_found", column: 8,
         "attribute `nmae` on entity type `User` not found"),
    when(#"principal.email == "x""#, "vigil.validate.unsafe_optional_attribute", column: 8,
         "optional attribute `email` on entity type `User`"),
    when("context.level > 3", "vigil.validate.unsafe_optional_attribute", column: 8,
         #"`level` in context for Action::"view""#),
    when(#"principal.profile.nick == "x""#, "vigil.validate.unsafe_optional_attribute", column: 8,
         "`profile.nick` on entity type `User`"),
    when(#"principal.age == "x""#, "vigil.validate.incompatible_types", column: 8,
         "the types Long and String are not compatible"),
    when(#"[1, "a"].contains(1)"#, "vigil.validate.incompatible_types", column: 8, "the types Long and String"),
    when("principal.roles.containsAny([])", "vigil.validate.empty_set", column: 36, "empty set literals are forbidden"),
    // The error is on the conditional, whose span includes its parentheses.
    when(#"(if context.authenticated then 1 else "a") == 1"#, "vigil.validate.incompatible_types", column: 8,
         "the types Long and String"),
    when(#"principal.getTag("x") == "y""#, "vigil.validate.unsafe_tag_access", column: 8,
         #"unable to guarantee safety of access to tag `"x"` on entity type `User`"#),
    when(#"context.ip.isInRange(ip("10.0.0.0/33"))"#, "vigil.validate.invalid_extension_argument", column: 29,
         #"failed to parse as IP address: `"10.0.0.0/33"`"#),
    when(#"decimal(principal.name).lessThan(decimal("1.0"))"#, "vigil.validate.non_literal_extension_argument",
         column: 8, "extension constructors may not be called with non-literal expressions"),
    when("resource.price.lessThan(1)", "vigil.validate.unexpected_type", column: 32, "expected decimal but saw Long"),
    when("resource.price < resource.price", "vigil.validate.unexpected_type", column: 8,
         "expected Long, datetime, or duration but saw decimal"),
    when(#"resource.created < duration("1h")"#, "vigil.validate.unexpected_type", column: 27,
         "expected datetime but saw duration"),
    when("principal.age has foo", "vigil.validate.unexpected_type", column: 8,
         "expected an entity or a record but saw Long"),
    when(#"principal.age like "1*""#, "vigil.validate.unexpected_type", column: 8, "expected String but saw Long"),
    when(#"principal in "x""#, "vigil.validate.unexpected_type", column: 21,
         "expected an entity or a set of entities but saw String"),
    when(#"principal.roles.containsAll("a")"#, "vigil.validate.unexpected_type", column: 36,
         "expected a set but saw String"),
    when("principal.age is User", "vigil.validate.unexpected_type", column: 8, "expected an entity but saw Long"),
    when(#""a" + "b" == "ab""#, "vigil.validate.unexpected_type", column: 8, "expected Long but saw String"),
    when("principal == {a: 1}", "vigil.validate.incompatible_types", column: 8, "the types User and {a: Long}"),
    when("principal.roles.contains(1)", "vigil.validate.incompatible_types", column: 8,
         "the types String and Long are not compatible"),
    when("!principal.age", "vigil.validate.unexpected_type", column: 9, "expected Bool but saw Long"),
    when("if principal.age then true else false", "vigil.validate.unexpected_type", column: 11,
         "expected Bool but saw Long"),
    when("principal.manager == principal", "vigil.validate.unsafe_optional_attribute", column: 8,
         "optional attribute `manager`"),
    when(#"(principal has email || principal has manager) && principal.email == "a""#,
         "vigil.validate.unsafe_optional_attribute", column: 58, "optional attribute `email`"),
    when("[principal, resource].contains(principal)", "vigil.validate.incompatible_types", column: 8,
         "the types User and Photo are not compatible"),
    when(#"{a: 1} == {a: "x"}"#, "vigil.validate.incompatible_types", column: 8,
         "the types {a: Long} and {a: String} are not compatible"),
    when("action in []", "vigil.validate.empty_set", column: 18, "empty set literals are forbidden"),
    // Checked in every environment: `share` requests may have a `Group` principal, which has no `name`.
    InvalidCase(
        policy: "permit(principal in ?principal, action, resource)\nwhen { principal.name == \"x\" };",
        code: "vigil.validate.attribute_not_found", line: 2, column: 8, message: "`name` on entity type `Group`"),
    InvalidCase(
        policy: "permit(principal, action, resource)\nwhen { resource.size > 1 };",
        code: "vigil.validate.attribute_not_found", line: 2, column: 8, message: "`size` on entity type `Color`"),
]

@Suite("Validator: invalid policies")
struct InvalidPolicyTests {
    @Test("reports the error with its code and location", arguments: cases)
    func reportsError(_ c: InvalidCase) throws {
        let errors = try Fixture.errors(c.policy)
        let first = try #require(errors.first { $0.code == c.code }, "\(errors.map(\.description))")
        #expect(first.location?.line == c.line)
        #expect(first.location?.column == c.column)
        #expect(first.message.contains(c.message), "\(first.message)")
        #expect(first.message.hasPrefix("for policy `policy0`, "))
    }
}

@Suite("Validator: help lines")
struct HelpLineTests {
    private func help(_ body: String) throws -> String? {
        try Fixture.errors(Fixture.view + " when { \(body) };").first?.help
    }

    @Test("an unguarded optional attribute suggests the guard to write")
    func attributeGuard() throws {
        #expect(try help(#"principal.profile.nick == "x""#)
            == "try testing for the attribute's presence with `principal.profile has nick && ..`")
        #expect(
            try help("context.level > 1") == "try testing for the attribute's presence with `context has level && ..`")
    }

    @Test("an unguarded tag suggests `hasTag`")
    func tagGuard() throws {
        #expect(try help(#"principal.getTag("x") == "y""#)
            == #"try testing for the tag's presence with `principal.hasTag("x") && ..`"#)
    }

    @Test("a misspelt attribute suggests the closest declared one")
    func attributeSuggestion() throws {
        #expect(try help(#"principal.nmae == "x""#) == "did you mean `name`?")
    }

    @Test("attribute names that are not identifiers are quoted in messages")
    func quotedNames() throws {
        let errors = try Fixture.errors(Fixture.view + #" when { context["my key"] == 1 };"#)
        #expect(
            errors.first?.message
                == #"for policy `policy0`, attribute `["my key"]` in context for Action::"view" not found"#)
    }

    @Test("an incompatible-types error says where the types had to agree")
    func incompatibleHelp() throws {
        #expect(try help(#"principal.age == "x""#)
            == "both operands to a `==` expression must have compatible types: "
                + "types must be exactly equal to be compatible")
    }
}
