import Testing
import VigilPolicy

@Suite("Validator: scope checks")
struct ScopeChecksTests {
    private func only(_ code: String, in policy: String) throws -> Diagnostic {
        let errors = try Fixture.errors(policy)
        return try #require(errors.first { $0.code == code }, "\(errors.map(\.description))")
    }

    @Test("an unknown entity type suggests the closest declared one")
    func entityTypeSuggestion() throws {
        let d = try only(
            "vigil.validate.unknown_entity_type", in: #"permit(principal == Usr::"a", action, resource);"#)
        #expect(d.help == "did you mean `User`?")
    }

    @Test("an unknown action suggests the closest declared one")
    func actionSuggestion() throws {
        let d = try only(
            "vigil.validate.unknown_action", in: #"permit(principal, action == Action::"veiw", resource);"#)
        #expect(d.help == #"did you mean `Action::"view"`?"#)
        #expect(d.location?.column == 19)
    }

    @Test("an invalid enumerated id lists the valid ones")
    func enumHelp() throws {
        let d = try only(
            "vigil.validate.invalid_enum_entity",
            in: "permit(principal, action == Action::\"share\", resource)\nwhen { resource == Color::\"green\" };")
        #expect(d.help == #"valid entity eids: "red", "blue""#)
        #expect(d.location?.line == 2)
        #expect(d.location?.column == 20)
    }

    @Test("`==` where `in` would make an action apply says so")
    func inWouldFix() throws {
        let d = try only(
            "vigil.validate.no_applicable_action",
            in: #"permit(principal == Group::"g", action == Action::"view", resource);"#)
        #expect(d.help == "try replacing `==` with `in` in the principal clause")
        // The span covers the scope from the principal to the resource.
        #expect(d.span.end - d.span.start == #"principal == Group::"g", action == Action::"view", resource"#.utf8.count)
    }

    @Test("an action group applies through its members; an action with no appliesTo applies to nothing")
    func actionGroups() throws {
        #expect(try Fixture.errors(#"permit(principal, action in Action::"readOnly", resource);"#).isEmpty)
        let errors = try Fixture.errors(#"permit(principal, action == Action::"readOnly", resource);"#)
        #expect(errors.map(\.code) == ["vigil.validate.no_applicable_action"])
    }

    @Test("`is` on a type the action does not apply to leaves no applicable action")
    func isScope() throws {
        let errors = try Fixture.errors(#"permit(principal, action == Action::"edit", resource is Color);"#)
        #expect(errors.map(\.code) == ["vigil.validate.no_applicable_action"])
        #expect(try Fixture.errors(#"permit(principal, action == Action::"share", resource is Color);"#).isEmpty)
    }
}
