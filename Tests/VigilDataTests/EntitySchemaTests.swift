import Testing
import VigilData
import VigilPolicy

/// Entities parsed by `testSchema`. cedarpy (Cedar 4.12) accepts this file with the same schema and also ends with
/// six entities (checked when this was written).
private let schemaEntities = #"""
    [
      {"uid": {"type": "App::User", "id": "alice"},
       "attrs": {
         "name": "Alice", "age": 30, "ip": "192.168.0.1", "score": "0.75",
         "manager": {"type": "App::User", "id": "bob"},
         "nicknames": ["al", "ally"],
         "address": {"street": "Main St"}
       },
       "parents": [{"type": "App::Team", "id": "t1"}],
       "tags": {"dept": "eng"}},
      {"uid": {"type": "App::User", "id": "bob"},
       "attrs": {"name": "Bob", "ip": {"fn": "ip", "arg": "::1"}, "score": {"__extn": {"fn": "decimal", "arg": "-2.5"}}},
       "parents": []},
      {"uid": {"type": "App::Doc", "id": "d1"},
       "attrs": {"owner": {"__entity": {"type": "App::User", "id": "alice"}}, "created": "2024-10-15T11:35:00+0200",
                 "ttl": "1d2h"},
       "parents": []},
      {"uid": {"type": "App::Color", "id": "red"}, "attrs": {}, "parents": []},
      {"uid": {"type": "App::Action", "id": "edit"}, "attrs": {}, "parents": [{"type": "App::Action", "id": "view"}]}
    ]
    """#

@Suite("EntityJSON with a schema")
struct EntitySchemaTests {
    private func parse(_ text: String) throws(Diagnostics) -> [Entity] {
        try EntityJSON.parse(SourceFile(name: "entities.json", text: text), schema: testSchema)
    }

    @Test("strings become extension values and bare uids entities where the schema says so")
    func directedConversion() throws {
        let list = try parse(schemaEntities)
        #expect(list.map(\.uid) == [
            uid("App::User", "alice"), uid("App::User", "bob"), uid("App::Doc", "d1"), uid("App::Color", "red"),
            uid("App::Action", "edit"), uid("App::Action", "view"),
        ])
        let alice = list[0].attributes
        #expect(alice["ip"] == Value.construct("ip", "192.168.0.1"))
        #expect(alice["score"] == .decimal(DecimalValue(scaled: 7500)))
        #expect(alice["manager"] == .entity(uid("App::User", "bob")))
        #expect(alice["nicknames"] == .set([.string("al"), .string("ally")]))
        #expect(alice["address"] == .record(["street": .string("Main St")]))
        #expect(list[0].tags == ["dept": .string("eng")])
        #expect(list[1].attributes["ip"] == Value.construct("ip", "::1"))
        #expect(list[1].attributes["score"] == .decimal(DecimalValue(scaled: -25000)))
        let doc = list[2].attributes
        #expect(doc["owner"] == .entity(uid("App::User", "alice")))
        #expect(doc["created"] == .datetime(DatetimeValue(millisecondsSinceEpoch: 1_728_984_900_000)))
        #expect(doc["ttl"] == .duration(DurationValue(milliseconds: 93_600_000)))
    }

    @Test("the schema's actions are added, with their groups as parents")
    func schemaActions() throws {
        let list = try parse("[]")
        #expect(list == [
            Entity(uid: uid("App::Action", "edit"), parents: [uid("App::Action", "view")]),
            Entity(uid: uid("App::Action", "view")),
        ])
    }

    @Test("a listed action matches its declaration when its ancestors agree, transitively")
    func listedAction() throws {
        // `edit` is in `view`; listing both parents' closure explicitly is the same hierarchy.
        let text = #"[{"uid": {"type": "App::Action", "id": "edit"}, "attrs": {}, "parents": [{"type": "App::Action", "id": "view"}]}]"#
        #expect(try parse(text).count == 2)
    }

    @Test("without a schema the same file keeps strings as strings")
    func noSchemaKeepsStrings() throws {
        let list = try EntityJSON.parse(SourceFile(name: "e.json", text: schemaEntities), schema: nil)
        #expect(list[0].attributes["ip"] == .string("192.168.0.1"))
        #expect(list[0].attributes["manager"] == .record(["type": .string("App::User"), "id": .string("bob")]))
        #expect(list.count == 5)
    }
}
