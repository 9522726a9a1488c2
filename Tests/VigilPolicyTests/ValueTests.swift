import Testing
import VigilPolicy

@Suite("Value")
struct ValueTests {
    private let alice = EntityUID(type: Name(qualified: "App::User"), id: "alice")

    @Test("description is Cedar syntax with sorted sets and records")
    func description() throws {
        let v = Value.record([
            "z": .set([.long(10), .long(-2), .string("a\"b")]),
            "a": .entity(alice),
            "ip": try #require(Value.construct("ip", "10.0.0.0/8")),
            "when": try #require(Value.construct("datetime", "2024-01-01")),
            "d": try #require(Value.construct("decimal", "1.5")),
            "t": try #require(Value.construct("duration", "1h")),
            "b": .bool(false),
        ])
        #expect(v.description == #"{"a": App::User::"alice", "b": false, "d": decimal("1.5000"), "# +
            #""ip": ip("10.0.0.0/8"), "t": duration("3600000ms"), "when": datetime("2024-01-01T00:00:00.000Z"), "# +
            #""z": ["a\"b", -2, 10]}"#)
        #expect(Value.record([:]).description == "{}")
        #expect(Value.set([]).description == "[]")
        #expect(Value.long(Int64.min).description == "-9223372036854775808")
    }

    @Test("equality is Cedar's: unordered sets, records by content, extension values by meaning")
    func equality() throws {
        #expect(Value.set([.long(1), .long(2)]) == Value.set([.long(2), .long(1), .long(1)]))
        #expect(Value.record(["a": .long(1), "b": .bool(true)]) == Value.record(["b": .bool(true), "a": .long(1)]))
        #expect(Value.construct("decimal", "1.0") == Value.construct("decimal", "1.0000"))
        #expect(Value.construct("duration", "1m") == Value.construct("duration", "60s"))
        #expect(Value.construct("datetime", "2024-01-01T01:00:00+0100") == Value.construct("datetime", "2024-01-01"))
        #expect(Value.long(1) != Value.string("1"))
    }

    @Test("construct refuses unknown functions and invalid arguments")
    func construct() {
        #expect(Value.construct("ip", "1.2.3") == nil)
        #expect(Value.construct("unknown", "x") == nil)
        #expect(Value.construct("decimal", "1.5")?.typeName == "decimal")
        #expect(Value.entity(alice).typeName == "App::User")
    }
}

@Suite("Value code-point equality")
struct ValueCodePointTests {
    @Test("strings compare by code points, as Cedar's do")
    func codePoints() {
        #expect(Value.string("\u{e9}") != Value.string("e\u{301}"))
        #expect(Value.set([.string("\u{e9}"), .string("e\u{301}")]) != Value.set([.string("\u{e9}")]))
        #expect(Value.string("abc") == Value.string("abc"))
    }
}
