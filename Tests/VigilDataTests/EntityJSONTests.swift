import Testing
import VigilData
import VigilPolicy

/// Entities JSON without a schema. cedarpy (Cedar 4.12) accepts the same file (checked when this was written).
private let plainEntities = #"""
    [
      {"uid": {"__entity": {"type": "User", "id": "alice"}},
       "attrs": {
         "flag": true, "n": -42, "s": "hi", "set": [1, 1, "x"], "rec": {"a": {"b": []}},
         "boss": {"__entity": {"type": "User", "id": "bob"}},
         "addr": {"__extn": {"fn": "ip", "arg": "10.0.0.0/8"}},
         "score": {"__extn": {"fn": "decimal", "arg": "1.50"}},
         "born": {"__extn": {"fn": "datetime", "arg": "2000-01-02T03:04:05Z"}},
         "ttl": {"__extn": {"fn": "duration", "arg": "1h30m"}},
         "later": {"__extn": {"fn": "offset", "args": [{"__extn": {"fn": "datetime", "arg": "2024-01-01"}},
                                                        {"__extn": {"fn": "duration", "arg": "1d"}}]}},
         "less": {"__extn": {"fn": "lessThan", "args": [{"__extn": {"fn": "decimal", "arg": "1.0"}},
                                                         {"__extn": {"fn": "decimal", "arg": "2.0"}}]}},
         "notRef": {"type": "User", "id": "carol"},
         "notEscape": {"__entity": {"type": "User", "id": "x"}, "extra": 1}
       },
       "parents": [{"type": "Group", "id": "staff"}],
       "tags": {"level": 3}},
      {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": [{"type": "Group", "id": "all"}], "unused": 1},
      {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": [{"type": "Group", "id": "all"}]},
      {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "any"}]}
    ]
    """#

@Suite("EntityJSON without a schema")
struct EntityJSONTests {
    private func parse(_ text: String) throws(Diagnostics) -> [Entity] {
        try EntityJSON.parse(SourceFile(name: "entities.json", text: text), schema: nil)
    }

    @Test("Cedar's JSON value syntax, escapes and extension calls")
    func values() throws {
        let list = try parse(plainEntities)
        // The identical second `Group::"staff"` is merged; unknown members such as `unused` are ignored.
        #expect(list.map(\.uid) == [uid("User", "alice"), uid("Group", "staff"), uid("Action", "read")])
        let a = list[0].attributes
        #expect(a["flag"] == .bool(true))
        #expect(a["n"] == .long(-42))
        #expect(a["s"] == .string("hi"))
        #expect(a["set"] == .set([.long(1), .string("x")]))
        #expect(a["rec"] == .record(["a": .record(["b": .set([])])]))
        #expect(a["boss"] == .entity(uid("User", "bob")))
        #expect(a["addr"] == Value.construct("ip", "10.0.0.0/8"))
        #expect(a["score"] == .decimal(DecimalValue(scaled: 15000)))
        #expect(a["born"] == Value.construct("datetime", "2000-01-02T03:04:05Z"))
        #expect(a["ttl"] == .duration(DurationValue(milliseconds: 5_400_000)))
        #expect(a["later"] == Value.construct("datetime", "2024-01-02"))
        #expect(a["less"] == .bool(true))
        // Without a schema the bare `{"type", "id"}` form is a record, and a record merely containing `__entity`
        // among other keys is a record, as in Cedar.
        #expect(a["notRef"] == .record(["type": .string("User"), "id": .string("carol")]))
        #expect(a["notEscape"] == .record([
            "__entity": .record(["type": .string("User"), "id": .string("x")]), "extra": .long(1),
        ]))
        #expect(list[0].parents == [uid("Group", "staff")])
        #expect(list[0].tags == ["level": .long(3)])
        #expect(list[2].parents == [uid("Action", "any")])
    }

    @Test("the store closes the parent relation transitively")
    func ancestors() throws {
        let store = EntityStore(try parse(plainEntities))
        #expect(store.ancestors(of: uid("User", "alice")) == [uid("Group", "staff"), uid("Group", "all")])
        #expect(store.ancestors(of: uid("Group", "all")).isEmpty)
        #expect(store[uid("Group", "staff")]?.parents == [uid("Group", "all")])
        #expect(store[uid("Group", "nobody")] == nil)
    }

    @Test("every error in a file is reported in one run, in file order")
    func manyErrors() {
        let text = """
            [
              {"uid": {"type": "User", "id": "a"}, "attrs": {"x": 1.5}, "parents": []},
              {"uid": {"type": "User", "id": "b"}, "attrs": {"y": null}, "parents": [3]},
              {"uid": {"type": "Us er", "id": "c"}, "attrs": {}, "parents": []}
            ]
            """
        #expect(throws: Diagnostics.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect(error.all.map(\.code) == [
                "vigil.data.invalid_number", "vigil.data.null", "vigil.data.expected_entity",
                "vigil.data.invalid_type_name",
            ])
            #expect(error.all.map(\.jsonPath) == ["[0].attrs.x", "[1].attrs.y", "[1].parents[0]", "[2].uid.type"])
            #expect(error.all.map { $0.location?.line } == [2, 3, 3, 4])
        }
    }

    @Test("a diagnostic renders its path, excerpt and help")
    func rendering() {
        do {
            _ = try parse(#"[{"uid": {"type": "User", "id": "a"}, "attrs": {"ip": {"__extn": {"fn": "ip", "arg": "1.2.3"}}}, "parents": []}]"#)
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("entities.json:1:86: error: \"1.2.3\" is not a valid argument for `ip`"))
            #expect(text.contains("(at `[0].attrs.ip.__extn.arg`)"))
            #expect(text.contains("help: write an IPv4 or IPv6 address"))
        }
    }

    @Test("deep nesting is refused by the JSON reader, not by the stack")
    func deepNesting() {
        let depth = 100_000
        let text = #"[{"uid": {"type": "U", "id": "a"}, "parents": [], "attrs": {"x": "#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}]"
        #expect(throws: Diagnostics.self) { try parse(text) }
    }
}
