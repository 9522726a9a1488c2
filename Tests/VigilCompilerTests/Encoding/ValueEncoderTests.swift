import Testing
import VigilPolicy
@testable import VigilCompiler

@Suite struct ValueEncoderTests {
    private func encode(_ v: Value, _ interner: inout Interner) throws -> [UInt8] {
        try ValueEncoder.encode(v, &interner)
    }

    @Test func scalars() throws {
        var i = Interner()
        #expect(try encode(.bool(true), &i) == [1, 1])
        #expect(try encode(.long(-2), &i) == [2, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try encode(.string("hé"), &i) == [3, 3, 0, 0, 0, 0x68, 0xC3, 0xA9])
        #expect(try encode(.entity(EntityUID(type: Name(qualified: "NS::User"), id: "a")), &i) == [4, 0, 0, 0, 0])
        #expect(i.names.names == [Array("NS::User".utf8)])
        #expect(try encode(.decimal(DecimalValue(scaled: 12300)), &i) == [8, 0x0C, 0x30, 0, 0, 0, 0, 0, 0])
        #expect(try encode(.duration(DurationValue(milliseconds: 1)), &i) == [10, 1, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func ipAddressesInNetworkOrder() throws {
        var i = Interner()
        let v4 = try #require(IPAddrValue.parse("10.1.2.3/8"))
        #expect(try encode(.ipaddr(v4), &i) == [7, 4, 8, 10, 1, 2, 3] + [UInt8](repeating: 0, count: 12))
        let v6 = try #require(IPAddrValue.parse("ff00::1"))
        #expect(try encode(.ipaddr(v6), &i) == [7, 6, 128, 0xFF] + [UInt8](repeating: 0, count: 14) + [1])
    }

    @Test func setsAreSortedAndUniqueWhateverTheInputOrder() throws {
        var i = Interner()
        let a = try encode(.set([.long(3), .long(1), .string("x"), .long(2)]), &i)
        let b = try encode(.set([.long(2), .string("x"), .long(1), .long(3)]), &i)
        #expect(a == b)
        #expect(a[0] == 5 && u32(a, 1) == 4 && u32(a, 5) == UInt32(a.count - 9))
        // Longs (tag 2) before strings (tag 3), then by bytes: 1, 2, 3 little-endian.
        #expect(Array(a[9..<18]) == [2, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(a[18..<27]) == [2, 2, 0, 0, 0, 0, 0, 0, 0])
        // A proper prefix sorts first: "a" before "ab" (their length fields differ first here, so check raw).
        var w = ByteWriter()
        ValueEncoder.writeSet([[3, 1], [3], [3, 1], [2]], into: &w)
        #expect(w.bytes == [5, 3, 0, 0, 0, 4, 0, 0, 0, 2, 3, 3, 1])
    }

    @Test func recordsAreSortedByNameID() throws {
        var i = Interner()
        _ = i.name("z")
        _ = i.name("a")
        let r = try encode(.record(["a": .bool(true), "z": .bool(false)]), &i)
        // "z" has id 0, "a" id 1: z first.
        #expect(r == [6, 2, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1])
        let empty = try encode(.record([:]), &i)
        #expect(empty == [6, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func nestingDeeperThanTheFormatAllowsIsRefused() throws {
        var i = Interner()
        var v = Value.long(1)
        for _ in 0..<ValueEncoder.maxDepth { v = .set([v]) }
        _ = try encode(v, &i)
        #expect(throws: EncodingError.tooDeep) { try encode(.set([v]), &i) }
    }

    @Test func patterns() {
        #expect(ValueEncoder.pattern([.char("a"), .wildcard])
            == [11, 2, 0, 0, 0, 0x61, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func interningKeepsCanonicallyEquivalentNamesApart() {
        var names = NameTable()
        let composed = names.intern("\u{E9}")
        let decomposed = names.intern("e\u{301}")
        #expect(composed != decomposed)
        #expect(names.intern("\u{E9}") == composed)
        var i = Interner()
        let a = i.eid(EntityUID(type: Name(basename: "U"), id: "\u{E9}"))
        let b = i.eid(EntityUID(type: Name(basename: "U"), id: "e\u{301}"))
        #expect(a != b)
    }

    @Test func cedarJSONEscapes() throws {
        let uid = EntityUID(type: Name(qualified: "Vigil::Session"), id: "s-\"1\"")
        let v = Value.record(["s": .entity(uid), "d": .decimal(DecimalValue(scaled: 5000)),
                              "ip": .ipaddr(try #require(IPAddrValue.parse("10.0.0.1"))), "n": .set([.long(1)])])
        #expect(CedarJSON.encode(v) == #"{"d":{"__extn":{"fn":"decimal","arg":"0.5000"}},"#
            + #""ip":{"__extn":{"fn":"ip","arg":"10.0.0.1/32"}},"n":[1],"#
            + #""s":{"__entity":{"type":"Vigil::Session","id":"s-\"1\""}}}"#)
    }
}
