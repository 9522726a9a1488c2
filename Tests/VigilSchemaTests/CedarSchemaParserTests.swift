import Testing
import VigilPolicy
@testable import VigilSchema

/// The `.cedarschema` syntax: what is accepted, and the first diagnostic of malformed input. Every accept or
/// reject decision here was checked against Cedar 4.12 (`cedarpy.Schema.from_str`).
@Suite("Human schema syntax")
struct CedarSchemaParserTests {
    @Test("entity declarations: several names, parents, `=` optional, tags, enum")
    func entityDeclarations() throws {
        let s = try human("""
            // A comment, and annotations on every kind of item.
            @doc("groups")
            entity Group, Team in [Org];
            entity Org;
            entity User in Group = { name: String, "full name"?: String, } tags Set<String>;
            entity Photo { size: Long };
            entity Color enum ["red", "blue", "red"];
            entity Tagged tags Long;
            """)
        #expect(s.entityTypes.count == 7)
        #expect(s.entityType(name("Team"))?.memberOfTypes == [name("Org")])
        let user = try #require(s.entityType(name("User")))
        #expect(user.memberOfTypes == [name("Group")])
        #expect(user.attributes == record(["name": (.string, true), "full name": (.string, false)]))
        #expect(user.tags == .set(.string))
        #expect(s.entityType(name("Photo"))?.attributes == record(["size": (.long, true)]))
        #expect(s.entityType(name("Color"))?.enumIDs == ["red", "blue", "red"])
        #expect(s.entityType(name("Tagged"))?.tags == .long)
        #expect(s.entityType(name("Tagged"))?.attributes == RecordType())
    }

    @Test("action declarations: names as identifiers or strings, groups, appliesTo, empty attributes")
    func actionDeclarations() throws {
        let s = try human("""
            entity User; entity Doc;
            action "read", write in [Action::"all", manage] appliesTo {
              resource: Doc,
              principal: [User, Doc],
              context: { @doc("x") ip: ipaddr },
            };
            action all;
            action manage in "all";
            action noop attributes {};
            """)
        let write = try #require(s.action(action("write")))
        #expect(write.memberOf == [action("all"), action("manage")])
        #expect(write.principalTypes == [name("User"), name("Doc")])
        #expect(write.resourceTypes == [name("Doc")])
        #expect(write.context == record(["ip": (.extension("ipaddr"), true)]))
        #expect(s.action(action("read"))?.context == write.context)
        #expect(s.action(action("manage"))?.memberOf == [action("all")])
        let noop = try #require(s.action(action("noop")))
        #expect(noop.principalTypes.isEmpty && noop.resourceTypes.isEmpty && noop.context == RecordType())
    }

    @Test("keywords are ordinary names where a name is expected")
    func keywordsAsNames() throws {
        let s = try human("""
            entity entity, namespace, type, appliesTo, enum, tags, principal, context;
            entity Set;
            entity E = { Set: Set, s: Set<Set<Long>>, action: type, "if": Bool };
            @if @namespace action action;
            """)
        #expect(s.entityTypes.count == 10)
        #expect(s.entityType(name("E"))?.attributes == record([
            "Set": (.entity(name("Set")), true), "s": (.set(.set(.long)), true),
            "action": (.entity(name("type")), true), "if": (.bool, true),
        ]))
        #expect(s.action(action("action")) != nil)
    }

    @Test("namespaces: nested paths, top-level declarations merged into the empty namespace")
    func namespaces() throws {
        let s = try human("""
            entity A;
            @doc("app") namespace App::Photos { entity Photo in [A]; }
            entity B;
            namespace Other {}
            """)
        #expect(Set(s.entityTypes.keys) == [name("A"), name("B"), name("App::Photos::Photo")])
        #expect(s.entityType(name("App::Photos::Photo"))?.memberOfTypes == [name("A")])
    }

    @Test("an empty file is an empty schema")
    func emptySchema() throws {
        let s = try human("  // nothing here\n")
        #expect(s.entityTypes.isEmpty && s.actions.isEmpty)
    }

    @Test("string escapes in names and ids are decoded")
    func escapes() throws {
        let s = try human(#"entity E enum ["a\"b", "\u{1F600}"]; action "tab\there";"#)
        #expect(s.entityType(name("E"))?.enumIDs == ["a\"b", "😀"])
        #expect(s.action(action("tab\there")) != nil)
    }

    @Test("a later attribute of the same name replaces an earlier one, as in Cedar")
    func repeatedAttribute() throws {
        let s = try human("entity E = { a: Long, a: String };")
        #expect(s.entityType(name("E"))?.attributes == record(["a": (.string, true)]))
    }

    static let malformed: [BadSchema] = [
        BadSchema("missing comma between attributes", "entity User = {\n  name: String\n  age: Long\n};",
                  "vigil.schema.unexpected_token", at: 3, 3),
        BadSchema("missing semicolon", "entity A\nentity B;", "vigil.schema.unexpected_token", at: 2, 1),
        BadSchema("reserved word as attribute name", "entity User = {\n  in: Long\n};",
                  "vigil.schema.reserved_identifier", at: 2, 3),
        BadSchema("reserved word as entity name", "entity User, if;", "vigil.schema.reserved_identifier", at: 1, 14),
        BadSchema("unknown escape", #"action "bad\q";"#, "vigil.schema.invalid_string", at: 1, 12),
        BadSchema("unterminated string", "entity E enum [\"a];", "vigil.schema.unexpected_token", at: 1, 16),
        BadSchema("invalid character", "entity E = { a: Long # };", "vigil.schema.unexpected_token", at: 1, 22),
        BadSchema("types nested too deep", "type T =\n  " + String(repeating: "Set<", count: 70) + "Long"
                  + String(repeating: ">", count: 70) + ";", "vigil.schema.too_deep", at: 2, 259),
        BadSchema("empty enum", "entity E enum [];", "vigil.schema.unexpected_token", at: 1, 16),
        BadSchema("empty action group list", "action a in [];", "vigil.schema.unexpected_token", at: 1, 14),
        BadSchema("appliesTo with nothing in it", "entity E;\naction a appliesTo {};", "vigil.schema.unexpected_token",
                  at: 2, 21),
        BadSchema("trailing comma in a type list", "entity E;\naction a appliesTo { principal: [E,], resource: E };",
                  "vigil.schema.unexpected_token", at: 2, 36),
        BadSchema("semicolon after a namespace", "namespace N {\n  entity E;\n};", "vigil.schema.unexpected_token", at: 3, 2),
        BadSchema("nested namespace", "namespace N {\n  namespace M {}\n}", "vigil.schema.unexpected_token", at: 2, 3),
        BadSchema("appliesTo keyword missing", "entity E;\naction a { principal: E };", "vigil.schema.unexpected_token",
                  at: 2, 10),
        BadSchema("action attributes are not supported", "action a attributes { x: Long };",
                  "vigil.schema.unexpected_token", at: 1, 23),
        BadSchema("parent action path without an id", "action a in [App::read];", "vigil.schema.unexpected_token",
                  at: 1, 23),
        BadSchema("entity type declared twice", "entity A;\nentity B;\nentity A;",
                  "vigil.schema.duplicate_declaration", at: 3, 8),
        BadSchema("action declared twice, once quoted", "action read;\naction \"read\";",
                  "vigil.schema.duplicate_declaration", at: 2, 8),
        BadSchema("common type declared twice", "namespace N {\n  type T = Long;\n  type T = String;\n}",
                  "vigil.schema.duplicate_declaration", at: 3, 8),
        BadSchema("namespace declared twice", "namespace N {}\nnamespace N {}", "vigil.schema.duplicate_namespace", at: 2, 11),
        BadSchema("duplicate annotation", "@doc(\"a\")\n@doc(\"b\")\nentity E;", "vigil.schema.duplicate_annotation",
                  at: 2, 2),
        BadSchema("appliesTo without resource", "entity U;\naction view appliesTo {\n  principal: U\n};",
                  "vigil.schema.missing_applies_to", at: 2, 8),
        BadSchema("appliesTo with an empty principal list", "entity U;\naction view appliesTo { principal: [], resource: U };",
                  "vigil.schema.empty_applies_to", at: 2, 25),
        BadSchema("context declared twice", "entity U;\naction v appliesTo { principal: U, resource: U, context: {}, context: {} };",
                  "vigil.schema.duplicate_applies_to", at: 2, 62),
        BadSchema("the __cedar namespace", "namespace App::__cedar { entity E; }", "vigil.schema.reserved_namespace", at: 1, 11),
        BadSchema("an entity named __cedar", "entity __cedar;", "vigil.schema.reserved_namespace", at: 1, 8),
        BadSchema("common type named like a JSON type keyword", "namespace N {\n  type Set = Long;\n}",
                  "vigil.schema.reserved_type_name", at: 2, 8),
    ]

    @Test("malformed schemas report a located error", arguments: malformed)
    func malformedSchema(_ bad: BadSchema) {
        bad.check(human)
    }

    @Test("help points at the likely fix")
    func helpText() {
        let semicolon = rejection { () throws(Diagnostics) -> Schema in try human("namespace N { entity E; };") }
        #expect(semicolon?.all[0].help == "a namespace's closing `}` takes no `;`")
        let appliesTo = rejection { () throws(Diagnostics) -> Schema in try human("entity E; action a { principal: E };") }
        #expect(appliesTo?.all[0].help?.contains("appliesTo") == true)
        let duplicate = rejection { () throws(Diagnostics) -> Schema in try human("entity A;\nentity A;") }
        #expect(duplicate?.all[0].help == "the first declaration is at line 1, column 8")
    }

    @Test("declaration problems are all reported together, in source order")
    func severalProblems() {
        let d = rejection { () throws(Diagnostics) -> Schema in
            try human("entity A;\nentity A;\n@x @x entity B;\ntype Long = String;")
        }
        #expect(d?.all.map(\.code) == ["vigil.schema.duplicate_declaration", "vigil.schema.duplicate_annotation",
                                       "vigil.schema.reserved_type_name"])
    }
}
