import Testing
import VigilPolicy
import VigilSchema

/// The same schema written in both formats gives an equal model; `parse(file:)` picks the format.
@Suite("Schema formats agree")
struct SchemaFormatsTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        var label: String
        var human: String
        var json: String
        var testDescription: String { label }
    }

    static let pairs: [Pair] = [
        Pair(label: "photo app: namespace, common types, hierarchy, contexts", human: """
            namespace PhotoApp {
              type Context = { ip: ipaddr, authenticated: Bool };
              entity UserGroup;
              entity User in [UserGroup] = { name: String, age?: Long, manager?: User };
              entity Album;
              entity Photo in [Album] = { owner: User, tags: Set<String>, exif: { w: Long, h: Long } };
              action viewPhoto, editPhoto appliesTo { principal: User, resource: [Photo], context: Context };
              action listAlbums appliesTo { principal: [User, UserGroup], resource: Album, context: {} };
            }
            """, json: """
            {"PhotoApp": {
              "commonTypes": {"Context": {"type": "Record", "attributes": {
                "ip": {"type": "Extension", "name": "ipaddr"}, "authenticated": {"type": "Boolean"}}}},
              "entityTypes": {
                "UserGroup": {},
                "User": {"memberOfTypes": ["UserGroup"], "shape": {"type": "Record", "attributes": {
                  "name": {"type": "String"}, "age": {"type": "Long", "required": false},
                  "manager": {"type": "Entity", "name": "User", "required": false}}}},
                "Album": {},
                "Photo": {"memberOfTypes": ["PhotoApp::Album"], "shape": {"type": "Record", "attributes": {
                  "owner": {"type": "EntityOrCommon", "name": "User"},
                  "tags": {"type": "Set", "element": {"type": "String"}},
                  "exif": {"type": "Record", "attributes": {"w": {"type": "Long"}, "h": {"type": "Long"}}}}}}
              },
              "actions": {
                "viewPhoto": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Photo"], "context": {"type": "Context"}}},
                "editPhoto": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Photo"], "context": {"type": "Context"}}},
                "listAlbums": {"appliesTo": {"principalTypes": ["User", "UserGroup"], "resourceTypes": ["Album"]}}
              }
            }}
            """),
        Pair(label: "empty namespace: enum, tags, extension types, quoted names", human: """
            entity Color enum ["red", "green"];
            entity Item = { "display name"?: String, price: decimal, at: datetime, ttl: duration } tags Set<Long>;
            action "buy now" appliesTo { principal: Item, resource: Color };
            """, json: """
            {"": {
              "entityTypes": {
                "Color": {"enum": ["red", "green"]},
                "Item": {"shape": {"type": "Record", "attributes": {
                    "display name": {"type": "String", "required": false}, "price": {"type": "decimal"},
                    "at": {"type": "Extension", "name": "datetime"}, "ttl": {"type": "__cedar::duration"}}},
                  "tags": {"type": "Set", "element": {"type": "Long"}}}
              },
              "actions": {"buy now": {"appliesTo": {"principalTypes": ["Item"], "resourceTypes": ["Color"]}}}
            }}
            """),
        Pair(label: "several namespaces: cross references and action groups", human: """
            namespace Core { entity Org; action admin; type Audit = { who: String }; }
            namespace App::Docs {
              entity Folder in [Core::Org];
              entity Doc in [Folder] = { audit: Core::Audit };
              action read in [Core::Action::"admin"];
              action write in [read] appliesTo { principal: Core::Org, resource: Doc };
            }
            """, json: """
            {"Core": {"entityTypes": {"Org": {}}, "actions": {"admin": {}},
                      "commonTypes": {"Audit": {"type": "Record", "attributes": {"who": {"type": "String"}}}}},
             "App::Docs": {
               "entityTypes": {
                 "Folder": {"memberOfTypes": ["Core::Org"]},
                 "Doc": {"memberOfTypes": ["Folder"], "shape": {"type": "Record", "attributes": {
                   "audit": {"type": "Core::Audit"}}}}
               },
               "actions": {
                 "read": {"memberOf": [{"id": "admin", "type": "Core::Action"}]},
                 "write": {"memberOf": [{"id": "read"}],
                           "appliesTo": {"principalTypes": ["Core::Org"], "resourceTypes": ["Doc"]}}
               }
             }}
            """),
        Pair(label: "names shadowing built-ins", human: """
            entity String;
            type decimal = Long;
            namespace N {
              entity Bool;
              entity E = { a: String, b: Bool, c: __cedar::Bool, d: decimal, e: __cedar::decimal };
            }
            """, json: """
            {"": {"entityTypes": {"String": {}}, "actions": {}, "commonTypes": {"decimal": {"type": "Long"}}},
             "N": {"entityTypes": {
               "Bool": {},
               "E": {"shape": {"type": "Record", "attributes": {
                 "a": {"type": "Entity", "name": "String"}, "b": {"type": "EntityOrCommon", "name": "Bool"},
                 "c": {"type": "Boolean"}, "d": {"type": "decimal"}, "e": {"type": "Extension", "name": "decimal"}}}}
             }, "actions": {}}}
            """),
        Pair(label: "actions without appliesTo and action-typed attributes", human: """
            namespace Ops {
              entity Job = { next: Action, all: Set<Action> };
              action start;
              action stop in start;
              action restart in [start, stop] appliesTo { principal: Job, resource: Job, context: { force?: Bool } };
            }
            """, json: """
            {"Ops": {
              "entityTypes": {"Job": {"shape": {"type": "Record", "attributes": {
                "next": {"type": "Entity", "name": "Action"},
                "all": {"type": "Set", "element": {"type": "EntityOrCommon", "name": "Ops::Action"}}}}}},
              "actions": {
                "start": {"appliesTo": null},
                "stop": {"memberOf": [{"id": "start", "type": "Action"}]},
                "restart": {"memberOf": [{"id": "start"}, {"id": "stop", "type": "Ops::Action"}],
                  "appliesTo": {"principalTypes": ["Job"], "resourceTypes": ["Job"],
                    "context": {"type": "Record", "attributes": {"force": {"type": "Boolean", "required": false}}}}}
              }
            }}
            """),
    ]

    @Test("both formats give an equal model", arguments: pairs)
    func sameModel(_ pair: Pair) throws {
        let h = try human(pair.human)
        let j = try json(pair.json)
        #expect(!h.entityTypes.isEmpty)
        #expect(h.entityTypes == j.entityTypes)
        #expect(h.actions == j.actions)
        #expect(h == j)
    }

    @Test("parse(file:) reads JSON when the text starts with `{`, the human format otherwise")
    func formatDetection() throws {
        let pair = Self.pairs[0]
        let fromJSON = try Schema.parse(file: SourceFile(name: "s", text: "\n  " + pair.json))
        let fromHuman = try Schema.parse(file: SourceFile(name: "s", text: pair.human))
        #expect(fromJSON == fromHuman)
        #expect(fromJSON.file?.name == "s")
        let d = rejection { () throws(Diagnostics) -> Schema in try Schema.parse(file: SourceFile(name: "s", text: " {\"N\": 1}")) }
        #expect(d?.all[0].code == "vigil.schema.json.wrong_kind")
    }

    @Test("model equality ignores where things were declared")
    func equalityIgnoresSpans() throws {
        let a = try human("entity A;\naction a;")
        let b = try human("action a;\n\n\nentity A;")
        #expect(a.entityType(name("A"))?.span != b.entityType(name("A"))?.span)
        #expect(a == b)
        #expect(a != (try human("entity A; action b;")))
    }
}
