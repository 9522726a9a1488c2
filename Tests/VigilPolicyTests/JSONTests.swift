import Testing
@testable import VigilPolicy

@Suite("JSON parser")
struct JSONTests {
    private func parse(_ text: String) throws(Diagnostics) -> JSONNode {
        try JSON.parse(SourceFile(name: "t.json", text: text))
    }

    @Test func parsesEveryKindWithSpans() throws {
        let node = try parse(#"{"a": [1, -9223372036854775808, 1.5, "x\u00e9\ud83d\ude00", true, null], "b": {}}"#)
        guard case .object(let members) = node.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b"])
        guard case .array(let items)? = node["a"]?.value else { Issue.record("a is not an array"); return }
        guard case .integer(1) = items[0].value, case .integer(Int64.min) = items[1].value,
              case .number("1.5") = items[2].value, case .string("xé😀") = items[3].value,
              case .bool(true) = items[4].value, case .null = items[5].value
        else { Issue.record("wrong items: \(items.map(\.kindName))"); return }
        #expect(items[0].span == SourceSpan(start: 7, end: 8))
    }

    @Test func integerOverflowKeepsText() throws {
        guard case .number("9223372036854775808") = try parse("9223372036854775808").value else {
            Issue.record("expected raw number"); return
        }
    }

    @Test(arguments: [
        ("{\"a\" 1}", "vigil.json.expected_colon", 1, 6),
        ("[1, 2", "vigil.json.unexpected_end", 1, 6),
        ("{\n  \"a\": tru }", "vigil.json.unexpected_character", 2, 8),
        ("[01]", "vigil.json.invalid_number", 1, 2),
        ("\"abc", "vigil.json.unterminated_string", 1, 1),
        ("{\"a\": 1,}", "vigil.json.expected_key", 1, 9),
        ("[1] x", "vigil.json.trailing", 1, 5),
        ("\"\\q\"", "vigil.json.invalid_escape", 1, 2),
        ("\"\\ud800\"", "vigil.json.invalid_escape", 1, 2),
        ("[1 2]", "vigil.json.expected_comma", 1, 4),
    ])
    func malformedJSONIsLocated(text: String, code: String, line: Int, column: Int) {
        do {
            _ = try parse(text)
            Issue.record("accepted malformed JSON \(text)")
        } catch {
            let d = error.all[0]
            #expect(d.code == code)
            #expect(d.location?.line == line)
            #expect(d.location?.column == column)
        }
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: Diagnostics.self) { try parse(text) }
    }
}
