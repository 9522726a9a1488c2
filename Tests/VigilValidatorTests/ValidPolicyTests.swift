import Testing
import VigilPolicy

/// Policies Cedar accepts in strict mode, many of them only because of guards, short-circuiting or the action
/// hierarchy.
private let validPolicies: [String] = [
    Fixture.view + #" when { principal has email && principal.email == "x" };"#,
    Fixture.view + #" when { principal has profile.nick && principal.profile.nick == "a" };"#,
    Fixture.view + #" when { principal.hasTag("x") && principal.getTag("x") == "y" };"#,
    Fixture.view + #" when { if principal has email then principal.email == "a" else false };"#,
    Fixture.view + " when { principal has manager && principal.manager.name == principal.name };",
    Fixture.view + " when { context has level && context.level > 3 };",
    Fixture.view + #" when { resource.created < datetime("2024-01-01") };"#,
    Fixture.view + #" when { resource.created.offset(duration("1d")) > datetime("2020-01-01") };"#,
    Fixture.view + #" when { resource.price.lessThan(decimal("1.5")) };"#,
    Fixture.view + " when { context.ip.isIpv4() && context.authenticated };",
    Fixture.view + #" when { principal in Group::"admins" };"#,
    Fixture.view + " when { {a: 1, b: true} has b };",
    // `readOnly` applies to nothing itself, but `view` is a member of it.
    #"permit(principal, action in Action::"readOnly", resource);"#,
    #"permit(principal, action in [Action::"view", Action::"edit"], resource) when { resource.size > 1 };"#,
    #"permit(principal == ?principal, action == Action::"view", resource in ?resource);"#,
    #"permit(principal in ?principal, action == Action::"view", resource) when { principal.name == "x" };"#,
]

/// Valid policies that can never apply: Cedar warns but accepts them. The errors they would have are in code
/// that can never run.
private let impossiblePolicies: [String] = [
    Fixture.view + " when { false && principal.nosuch == 1 };",
    Fixture.view + " when { principal is Group && principal.nosuch };",
    Fixture.view + " when { context has foo && context.foo };",
    Fixture.view + #" when { action == Action::"edit" && principal.nosuch };"#,
    Fixture.view + #" when { resource.hasTag("x") && resource.getTag("x") == "y" };"#,
    Fixture.view + #" when { principal == Group::"g" };"#,
    // Two literals may be compared whatever their types; these are never equal.
    Fixture.view + #" when { 1 == "a" };"#,
]

@Suite("Validator: valid policies")
struct ValidPolicyTests {
    @Test("has no errors and no warnings", arguments: validPolicies)
    func valid(_ policy: String) throws {
        let report = try Fixture.check(policy)
        #expect(report.errors.map(\.description) == [])
        #expect(report.warnings.map(\.description) == [])
        #expect(report.isValid)
    }

    @Test("a policy that can never apply is valid, with a warning", arguments: impossiblePolicies)
    func impossible(_ policy: String) throws {
        let report = try Fixture.check(policy)
        #expect(report.errors.map(\.description) == [])
        #expect(report.warnings.map(\.code) == ["vigil.validate.impossible_policy"])
        #expect(report.warnings.first?.severity == .warning)
    }

    @Test("every policy of a set is checked, and errors name the policy's positional id")
    func wholeSet() throws {
        let text = Fixture.view + " when { principal.age > 1 };\n" + Fixture.view + " when { principal.age };\n"
        let errors = try Fixture.errors(text)
        #expect(errors.count == 1)
        #expect(errors.first?.message.hasPrefix("for policy `policy1`, ") == true)
        #expect(errors.first?.location?.line == 2)
    }

    @Test("an error found in several request environments is reported once")
    func deduplicated() throws {
        let errors = try Fixture.errors(
            #"permit(principal, action in [Action::"view", Action::"edit"], resource) when { principal.age == "x" };"#)
        #expect(errors.map(\.code) == ["vigil.validate.incompatible_types"])
    }
}
