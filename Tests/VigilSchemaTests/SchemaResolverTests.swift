import Testing
import VigilPolicy
@testable import VigilSchema

/// Cedar's name-resolution rules (cedar-policy-core `schema/raw_name.rs`, `schema.rs`), each checked against
/// Cedar 4.12: accept or reject with `cedarpy.Schema`, and the meaning of a name by validating policies that
/// only type-check under one reading.
@Suite("Schema name resolution")
struct SchemaResolverTests {
    @Test("an unqualified name means the current namespace's declaration, else the empty namespace's")
    func currentNamespaceFirst() throws {
        let s = try human("""
            entity Org;
            namespace App {
              entity User in [Org] = { team: Team, org: Org, other: Other::Thing };
              entity Team;
            }
            namespace Other { entity Thing; }
            """)
        let user = try #require(s.entityType(name("App::User")))
        #expect(user.memberOfTypes == [name("Org")])
        #expect(user.attributes == record([
            "team": (.entity(name("App::Team")), true), "org": (.entity(name("Org")), true),
            "other": (.entity(name("Other::Thing")), true),
        ]))
    }

    @Test("a name is not looked up in enclosing namespaces")
    func noParentNamespaceLookup() {
        let d = rejection { () throws(Diagnostics) -> Schema in
            try human("namespace A { entity C; }\nnamespace A::B { entity E = { c: C }; }")
        }
        #expect(d?.all[0].code == "vigil.schema.undeclared_type")
        #expect(d?.all[0].help == "neither `A::B::C` nor `C` has been declared as a common or entity type; did you mean `A::C`?")
    }

    @Test("a common type wins over an entity type of the same name, and is inlined")
    func commonTypeWins() throws {
        let s = try human("""
            namespace App {
              entity Address;
              type Address = { street: String };
              entity User = { home: Address, tags: Tags };
              type Tags = Set<String>;
            }
            """)
        #expect(s.entityType(name("App::User"))?.attributes == record([
            "home": (.record(record(["street": (.string, true)])), true), "tags": (.set(.string), true),
        ]))
    }

    @Test("built-in names: Bool, Long, String and the extension types; Boolean only in JSON")
    func builtins() throws {
        let s = try human("""
            entity E = { b: Bool, l: Long, s: String, i: ipaddr, d: decimal, t: datetime, u: duration,
                         q: __cedar::Bool, r: __cedar::ipaddr };
            """)
        #expect(s.entityType(name("E"))?.attributes == record([
            "b": (.bool, true), "l": (.long, true), "s": (.string, true), "i": (.extension("ipaddr"), true),
            "d": (.extension("decimal"), true), "t": (.extension("datetime"), true),
            "u": (.extension("duration"), true), "q": (.bool, true), "r": (.extension("ipaddr"), true),
        ]))
        let d = rejection { () throws(Diagnostics) -> Schema in try human("entity E = { b: Boolean };") }
        #expect(d?.all[0].code == "vigil.schema.undeclared_type")
        #expect(d?.all[0].help?.hasSuffix("the boolean type is written `Bool` in this format") == true)
    }

    @Test("a declaration may take a built-in's name; `__cedar::` still reaches the built-in")
    func shadowedBuiltins() throws {
        let s = try human("""
            entity String;
            type ipaddr = Long;
            entity E = { s: String, t: __cedar::String, i: ipaddr };
            namespace App {
              entity Long;
              entity F = { l: Long, m: __cedar::Long, s: String, i: ipaddr };
            }
            """)
        #expect(s.entityType(name("E"))?.attributes == record([
            "s": (.entity(name("String")), true), "t": (.string, true), "i": (.long, true),
        ]))
        #expect(s.entityType(name("App::F"))?.attributes == record([
            "l": (.entity(name("App::Long")), true), "m": (.long, true), "s": (.entity(name("String")), true),
            "i": (.long, true),
        ]))
    }

    @Test("an attribute may have an action type; parents and appliesTo may not")
    func actionTypeReferences() throws {
        let s = try human("namespace App { entity E = { a: Action, s: Set<Action> }; action read; }")
        #expect(s.entityType(name("App::E"))?.attributes == record([
            "a": (.entity(name("App::Action")), true), "s": (.set(.entity(name("App::Action"))), true),
        ]))
        for text in ["entity A in [Action]; action a;", "entity A; action a appliesTo { principal: Action, resource: A };"] {
            let d = rejection { () throws(Diagnostics) -> Schema in try human(text) }
            #expect(d?.all[0].code == "vigil.schema.undeclared_entity_type", "\(text)")
        }
    }

    @Test("parent actions: id alone, `Action::`, qualified; current namespace first, then the empty one")
    func parentActions() throws {
        let s = try human("""
            action global;
            namespace App {
              action shared;
              action a in [shared, global, Action::"global", App::Action::"shared", Other::Action::"o"];
            }
            namespace Other { action o; }
            """)
        #expect(s.action(action("a", in: "App"))?.memberOf == [
            action("shared", in: "App"), action("global"), action("o", in: "Other"),
        ])
        let d = rejection { () throws(Diagnostics) -> Schema in
            try human("namespace N { action a in [N::Action::\"b\"]; }\naction b;")
        }
        #expect(d?.all[0].code == "vigil.schema.undeclared_action")
    }

    @Test("an action without appliesTo, or with empty JSON lists, applies to nothing")
    func appliesToNothing() throws {
        let h = try human("action a;")
        let j = try json(#"{"": {"entityTypes": {}, "actions": {"a": {"appliesTo": {"principalTypes": [], "resourceTypes": []}}}}}"#)
        for s in [h, j] {
            let a = try #require(s.action(action("a")))
            #expect(a.principalTypes.isEmpty && a.resourceTypes.isEmpty && a.context == RecordType())
        }
        #expect(h == j)
    }

    @Test("a context may name a common type that is a record, wherever it is declared")
    func contextByName() throws {
        let s = try human("""
            entity U;
            action a appliesTo { principal: U, resource: U, context: Ctx };
            type Ctx = { ip: ipaddr, inner: Inner };
            type Inner = { n?: Long };
            """)
        #expect(s.action(action("a"))?.context == record([
            "ip": (.extension("ipaddr"), true), "inner": (.record(record(["n": (.long, false)])), true),
        ]))
    }

    @Test("entity type hierarchies may have cycles; action hierarchies may not")
    func cycles() throws {
        let s = try human("entity A in B; entity B in A;")
        #expect(s.entityType(name("A"))?.memberOfTypes == [name("B")])
        let d = rejection { () throws(Diagnostics) -> Schema in try human("action a in c;\naction b in a;\naction c in b;") }
        #expect(d?.all.map(\.code) == ["vigil.schema.action_cycle"])
        #expect(d?.all[0].message == #"cycle in action hierarchy containing `Action::"a"`"#)
    }

    @Test("an enumerated entity type may be a parent")
    func enumParent() throws {
        let s = try human(#"entity E enum ["a"]; entity X in [E];"#)
        #expect(s.entityType(name("X"))?.memberOfTypes == [name("E")])
    }

    @Test("a long chain of common types and actions resolves without deep recursion")
    func longChains() throws {
        var text = "type T0 = Long;\n"
        for i in 1...5000 { text += "type T\(i) = T\(i - 1);\naction a\(i) in a\(i - 1);\n" }
        text += "action a0;\nentity E = { t: T5000 };"
        let s = try human(text)
        #expect(s.entityType(name("E"))?.attributes == record(["t": (.long, true)]))
        #expect(s.actionAncestors(of: action("a5000")).count == 5000)
    }

    static let malformed: [BadSchema] = [
        BadSchema("misspelled entity type", "entity User = {\n  manager: Usr\n};", "vigil.schema.undeclared_type", at: 2, 12),
        BadSchema("context naming an entity type", "entity E;\naction a appliesTo { principal: E, resource: E, context: E };",
                  "vigil.schema.undeclared_type", at: 2, 58),
        BadSchema("undeclared parent action", "action read in [readOnly];", "vigil.schema.undeclared_action", at: 1, 17),
        BadSchema("action type as a principal", "action a appliesTo { principal: [Action], resource: [Action] };",
                  "vigil.schema.undeclared_entity_type", at: 1, 34),
        BadSchema("common type cycle", "type A = { b: B };\ntype B = Set<A>;", "vigil.schema.common_type_cycle", at: 1, 6),
        BadSchema("common type referring to itself", "namespace N {\n  type T = { next: T };\n}",
                  "vigil.schema.common_type_cycle", at: 2, 8),
        BadSchema("action cycle", "action a in c;\naction b in a;\naction c in b;", "vigil.schema.action_cycle", at: 1, 8),
        BadSchema("action in itself", "action a in a;", "vigil.schema.action_cycle", at: 1, 8),
        BadSchema("entity type shadows the empty namespace", "entity User;\nnamespace App {\n  entity User;\n}",
                  "vigil.schema.shadowing", at: 3, 10),
        BadSchema("common type shadows an entity type of the empty namespace", "entity User;\nnamespace App {\n  type User = Long;\n}",
                  "vigil.schema.shadowing", at: 3, 8),
        BadSchema("action shadows the empty namespace", "action view;\nnamespace App {\n  action view;\n}",
                  "vigil.schema.shadowing", at: 3, 10),
        BadSchema("entity type named Action", "namespace N {\n  entity Action;\n}", "vigil.schema.action_entity_type", at: 2, 10),
        BadSchema("context that is not a record", "type T = Set<String>;\nentity E;\naction a appliesTo { principal: E, resource: E, context: T };",
                  "vigil.schema.not_a_record", at: 3, 58),
        BadSchema("types too deep once inlined", (1...70).map { "type T\($0) = Set<T\($0 - 1)>;\n" }.joined() + "type T0 = Long;",
                  "vigil.schema.too_deep", at: 64, 6),
    ]

    @Test("resolution errors are located at the reference or the declaration", arguments: malformed)
    func malformedSchema(_ bad: BadSchema) {
        bad.check(human)
    }

    @Test("every shadowing problem is reported, each at the shadowing declaration")
    func allShadowing() {
        let d = rejection { () throws(Diagnostics) -> Schema in
            try human("entity A;\ntype B = Long;\naction c;\nnamespace N {\n  entity B;\n  type A = Long;\n  action c;\n}")
        }
        #expect(d?.all.map { $0.location?.line } == [5, 6, 7])
        #expect(d?.all[0].message == "definition of `N::B` illegally shadows the existing definition of `B`")
    }
}
