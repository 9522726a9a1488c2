import Testing
import VigilPolicy
@testable import VigilSchema

/// The JSON schema format: what is accepted, and the first diagnostic (code, place, JSON path) of malformed
/// input. Every accept or reject decision here was checked against Cedar 4.12 (`cedarpy.Schema.from_json_str`).
@Suite("JSON schema format")
struct JSONSchemaReaderTests {
    @Test("every type form, optional attributes, annotations, enum, tags, null for absent action fields")
    func everyForm() throws {
        let s = try json("""
            {"App": {
              "annotations": {"doc": "the app"},
              "commonTypes": {"Name": {"type": "String", "annotations": {"doc": null}}},
              "entityTypes": {
                "User": {
                  "memberOfTypes": ["Group"],
                  "shape": {"type": "Record", "additionalAttributes": false, "attributes": {
                    "name": {"type": "Name", "annotations": {"doc": "x"}},
                    "age": {"type": "Long", "required": false},
                    "ok": {"type": "Boolean"},
                    "flag": {"type": "Bool"},
                    "ip": {"type": "Extension", "name": "ipaddr"},
                    "when": {"type": "datetime"},
                    "boss": {"type": "Entity", "name": "User"},
                    "group": {"type": "EntityOrCommon", "name": "Group"},
                    "tags": {"type": "Set", "element": {"type": "__cedar::String"}}
                  }},
                  "tags": {"type": "Long"}
                },
                "Group": {},
                "Color": {"enum": ["red"], "annotations": {"a": "b"}}
              },
              "actions": {
                "view": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": []}, "memberOf": null},
                "all": {"appliesTo": null, "attributes": null}
              }
            }}
            """)
        let user = try #require(s.entityType(name("App::User")))
        #expect(user.memberOfTypes == [name("App::Group")])
        #expect(user.tags == .long)
        #expect(user.attributes == record([
            "name": (.string, true), "age": (.long, false), "ok": (.bool, true), "flag": (.bool, true),
            "ip": (.extension("ipaddr"), true), "when": (.extension("datetime"), true),
            "boss": (.entity(name("App::User")), true), "group": (.entity(name("App::Group")), true),
            "tags": (.set(.string), true),
        ]))
        #expect(s.entityType(name("App::Color"))?.enumIDs == ["red"])
        let view = try #require(s.action(action("view", in: "App")))
        #expect(view.principalTypes == [name("App::User")] && view.resourceTypes.isEmpty)
        #expect(s.action(action("all", in: "App"))?.principalTypes.isEmpty == true)
    }

    @Test("the empty namespace is written as the key \"\"")
    func emptyNamespace() throws {
        let s = try json(#"{"": {"entityTypes": {"A": {}}, "actions": {"a": {}}}}"#)
        #expect(s.entityType(name("A")) != nil && s.action(action("a")) != nil)
    }

    @Test("paths quote keys that are not identifiers")
    func pathQuoting() {
        #expect(JSONPath().key("").key("entityTypes").key("my type").index(2).description == #""".entityTypes."my type"[2]"#)
    }

    static let malformed: [BadSchema] = [
        BadSchema("JSON syntax: trailing comma", "{\"N\": {\n  \"entityTypes\": {},\n  \"actions\": {},\n}}",
                  "vigil.json.expected_key", at: 4, 1),
        BadSchema("missing actions", "{\"N\": {\n  \"entityTypes\": {}\n}}", "vigil.schema.json.missing_field", at: 1, 7,
                  path: "N"),
        BadSchema("misspelled field", "{\"N\": {\"actions\": {}, \"entityTypes\": {\n  \"User\": {\"memberOf\": []}\n}}}",
                  "vigil.schema.json.unknown_field", at: 2, 12, path: "N.entityTypes.User.memberOf"),
        BadSchema("entityTypes is an array", "{\"N\": {\"entityTypes\": [], \"actions\": {}}}",
                  "vigil.schema.json.wrong_kind", at: 1, 23, path: "N.entityTypes"),
        BadSchema("duplicate entity type", "{\"N\": {\"actions\": {}, \"entityTypes\": {\n  \"A\": {},\n  \"A\": {}\n}}}",
                  "vigil.schema.json.duplicate_key", at: 3, 3, path: "N.entityTypes.A"),
        BadSchema("namespace name with a space", "{\"N \": {\"entityTypes\": {}, \"actions\": {}}}",
                  "vigil.schema.json.invalid_name", at: 1, 2, path: #""N ""#),
        BadSchema("entity type name with ::", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A::B\": {}}}}",
                  "vigil.schema.json.invalid_name", at: 1, 39, path: #"N.entityTypes."A::B""#),
        BadSchema("common type named Long", "{\"N\": {\"entityTypes\": {}, \"actions\": {},\n \"commonTypes\": {\"Long\": {\"type\": \"String\"}}}}",
                  "vigil.schema.reserved_type_name", at: 2, 18, path: "N.commonTypes.Long"),
        BadSchema("empty enum", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"C\": {\"enum\": []}}}}",
                  "vigil.schema.json.empty_enum", at: 1, 53, path: "N.entityTypes.C.enum"),
        BadSchema("enum with a shape", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"C\": {\"enum\": [\"a\"],\n  \"shape\": {\"type\": \"Record\", \"attributes\": {}}}}}}",
                  "vigil.schema.json.enum_with_fields", at: 2, 3, path: "N.entityTypes.C.shape"),
        BadSchema("Set without element", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"tags\":\n  {\"type\": \"Set\"}}}}}",
                  "vigil.schema.json.missing_field", at: 2, 3, path: "N.entityTypes.A.tags"),
        BadSchema("Long with a name", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"tags\":\n  {\"type\": \"Long\", \"name\": \"x\"}}}}}",
                  "vigil.schema.json.unknown_field", at: 2, 20, path: "N.entityTypes.A.tags.name"),
        BadSchema("required outside an attribute", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"tags\":\n  {\"type\": \"Long\", \"required\": true}}}}}",
                  "vigil.schema.json.unknown_field", at: 2, 20, path: "N.entityTypes.A.tags.required"),
        BadSchema("required is not a boolean", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\",\n  \"attributes\": {\"x\": {\"type\": \"Long\", \"required\": \"no\"}}}}}}}",
                  "vigil.schema.json.wrong_kind", at: 2, 52, path: "N.entityTypes.A.shape.attributes.x.required"),
        BadSchema("type field missing", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\",\n  \"attributes\": {\"x\": {\"element\": {\"type\": \"Long\"}}}}}}}}",
                  "vigil.schema.json.missing_field", at: 2, 23, path: "N.entityTypes.A.shape.attributes.x"),
        BadSchema("additionalAttributes", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\",\n  \"attributes\": {}, \"additionalAttributes\": true}}}}}",
                  "vigil.schema.unsupported", at: 2, 21, path: "N.entityTypes.A.shape.additionalAttributes"),
        BadSchema("action attributes", "{\"N\": {\"entityTypes\": {}, \"actions\": {\n  \"a\": {\"attributes\": {}}\n}}}",
                  "vigil.schema.unsupported", at: 2, 9, path: "N.actions.a.attributes"),
        BadSchema("parent action without id", "{\"N\": {\"entityTypes\": {}, \"actions\": {\n  \"a\": {\"memberOf\": [{\"type\": \"Action\"}]}\n}}}",
                  "vigil.schema.json.missing_field", at: 2, 22, path: "N.actions.a.memberOf[0]"),
        BadSchema("appliesTo without resourceTypes", "{\"N\": {\"entityTypes\": {\"U\": {}}, \"actions\": {\n  \"a\": {\"appliesTo\": {\"principalTypes\": [\"U\"]}}\n}}}",
                  "vigil.schema.json.missing_field", at: 2, 22, path: "N.actions.a.appliesTo"),
        BadSchema("definitions outside a namespace", "{\n  \"entityTypes\": {},\n  \"actions\": {}\n}",
                  "vigil.schema.json.missing_namespace", at: 2, 3, path: "entityTypes"),
        BadSchema("annotations on the empty namespace", "{\"\": {\"entityTypes\": {}, \"actions\": {},\n  \"annotations\": {\"doc\": \"x\"}}}",
                  "vigil.schema.json.annotated_empty_namespace", at: 2, 3, path: #""".annotations"#),
        BadSchema("reserved word as a type name", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"memberOfTypes\": [\"if\"]}}}}",
                  "vigil.schema.json.invalid_name", at: 1, 63, path: "N.entityTypes.A.memberOfTypes[0]"),
        BadSchema("undeclared common type", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\",\n  \"attributes\": {\"x\": {\"type\": \"Adress\"}}}}, \"Address\": {}}}}",
                  "vigil.schema.undeclared_type", at: 2, 32, path: "N.entityTypes.A.shape.attributes.x.type"),
        BadSchema("undeclared entity type", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"tags\":\n  {\"type\": \"Entity\", \"name\": \"B\"}}}}}",
                  "vigil.schema.undeclared_type", at: 2, 30, path: "N.entityTypes.A.tags.name"),
        BadSchema("unknown extension type", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\"tags\":\n  {\"type\": \"Extension\", \"name\": \"ipadr\"}}}}}",
                  "vigil.schema.unknown_extension_type", at: 2, 33, path: "N.entityTypes.A.tags.name"),
        BadSchema("action type as a principal type", "{\"N\": {\"entityTypes\": {}, \"actions\": {\n  \"a\": {\"appliesTo\": {\"principalTypes\": [\"Action\"], \"resourceTypes\": []}}\n}}}",
                  "vigil.schema.undeclared_entity_type", at: 2, 42, path: "N.actions.a.appliesTo.principalTypes[0]"),
        BadSchema("undeclared parent action", "{\"N\": {\"entityTypes\": {}, \"actions\": {\n  \"a\": {\"memberOf\": [{\"id\": \"b\"}]}\n}}}",
                  "vigil.schema.undeclared_action", at: 2, 22, path: "N.actions.a.memberOf[0]"),
        BadSchema("common type cycle", "{\"N\": {\"entityTypes\": {}, \"actions\": {}, \"commonTypes\": {\n  \"A\": {\"type\": \"B\"},\n  \"B\": {\"type\": \"Set\", \"element\": {\"type\": \"A\"}}\n}}}",
                  "vigil.schema.common_type_cycle", at: 2, 3, path: "N.commonTypes.A"),
        BadSchema("shape that is not a record", "{\"N\": {\"actions\": {}, \"entityTypes\": {\"A\": {\n  \"shape\": {\"type\": \"Long\"}}}}}",
                  "vigil.schema.not_a_record", at: 2, 12, path: "N.entityTypes.A.shape"),
        BadSchema("shadowing the empty namespace", "{\"\": {\"entityTypes\": {\"User\": {}}, \"actions\": {}},\n \"App\": {\"entityTypes\": {\"User\": {}}, \"actions\": {}}}",
                  "vigil.schema.shadowing", at: 2, 26, path: "App.entityTypes.User"),
    ]

    @Test("malformed JSON schemas report a located error with its path", arguments: malformed)
    func malformedSchema(_ bad: BadSchema) {
        bad.check(json)
    }

    @Test("structural problems are all reported together")
    func severalProblems() {
        let d = rejection { () throws(Diagnostics) -> Schema in
            try json(#"{"N": {"entityTypes": {"A": {"shap": {}}, "B": []}, "actions": {"a": {"memberof": []}}}}"#)
        }
        #expect(d?.all.map(\.code) == ["vigil.schema.json.unknown_field", "vigil.schema.json.wrong_kind",
                                       "vigil.schema.json.unknown_field"])
        #expect(d?.all[0].help == "did you mean `shape`?")
        #expect(d?.all[2].help == "did you mean `memberOf`?")
    }
}
