import Testing
import VigilData
import VigilPolicy

@Suite("ContextJSON")
struct ContextJSONTests {
    private let view = uid("App::Action", "view")

    @Test("schema-directed: strings become the declared extension values, enum ids are accepted")
    func directed() throws {
        let text = #"{"ip": "10.1.2.3", "level": 2, "when": "2024-01-01", "color": {"type": "App::Color", "id": "green"}}"#
        let v = try ContextJSON.parse(SourceFile(name: "c.json", text: text), action: view, schema: testSchema)
        #expect(v == .record([
            "ip": try #require(Value.construct("ip", "10.1.2.3")),
            "level": .long(2),
            "when": try #require(Value.construct("datetime", "2024-01-01")),
            "color": .entity(uid("App::Color", "green")),
        ]))
    }

    @Test("without a schema: plain values and escapes")
    func plain() throws {
        let text = #"{"ip": {"__extn": {"fn": "ip", "arg": "::1"}}, "who": {"__entity": {"type": "User", "id": "a"}}, "n": []}"#
        let v = try ContextJSON.parse(SourceFile(name: "c.json", text: text), action: view, schema: nil)
        #expect(v == .record([
            "ip": try #require(Value.construct("ip", "::1")), "who": .entity(uid("User", "a")), "n": .set([]),
        ]))
    }

    @Test("an action without context declaration takes the empty record")
    func emptyContext() throws {
        let edit = uid("App::Action", "edit")
        #expect(try ContextJSON.parse(SourceFile(name: "c.json", text: "{}"), action: edit, schema: testSchema)
            == .record([:]))
        #expect(throws: Diagnostics.self) {
            try ContextJSON.parse(SourceFile(name: "c.json", text: #"{"x": 1}"#), action: edit, schema: testSchema)
        }
    }

    @Test("a context node inside a larger document keeps its spans")
    func node() throws {
        let file = SourceFile(name: "request.json", text: "{\n  \"context\": {\"ip\": \"nope\"}\n}")
        let root = try JSON.parse(file)
        let context = try #require(root["context"])
        do {
            _ = try ContextJSON.parse(context, in: file, action: view, schema: testSchema)
            Issue.record("accepted")
        } catch {
            #expect(error.all.first?.code == "vigil.data.invalid_extension_value")
            #expect(error.all.first?.jsonPath == "ip")
            #expect(error.all.first.flatMap(\.location).map { [$0.line, $0.column] } == [2, 21])
        }
    }
}
