import Testing
import VigilPolicy

// The expectations below were produced by running cedarpy (Cedar 4.12) on each string and hard-coding its
// answers: validity is whether `f("s") == f("s")` evaluates without error; values and predicates were read back
// from Cedar by evaluating the corresponding Cedar expression.
/// (string, value × 10⁴ or nil when Cedar rejects it)
private let decimalCases: [(String, Int64?)] = [
    ("0.0", 0),
    ("1.0", 10000),
    ("-1.0", -10000),
    ("1.2345", 12345),
    ("1.23456", nil),
    ("1", nil),
    ("1.", nil),
    (".1", nil),
    ("-.1", nil),
    ("+1.0", nil),
    ("1.0e1", nil),
    (" 1.0", nil),
    ("1.0 ", nil),
    ("--1.0", nil),
    ("-0.0", 0),
    ("-0.5", -5000),
    ("922337203685477.5807", 9223372036854775807),
    ("922337203685477.5808", nil),
    ("-922337203685477.5808", -9223372036854775808),
    ("-922337203685477.5809", nil),
    ("922337203685478.0", nil),
    ("007.0100", 70100),
    ("1,0", nil),
    ("1.2.3", nil),
    ("9223372036854775807.0", nil),
    ("99999999999999999999.0", nil),
    ("0.00001", nil),
    ("12.34", 123400),
    ("\u{663}.0", nil),
    ("1.0\n", nil),
    ("-9223372036854775808.0", nil),
    ("0.1234", 1234),
    ("-0.0001", -1),
    ("123456789.9", 1234567899000),
]

@Suite("DecimalValue")
struct DecimalValueTests {
    @Test("parse agrees with Cedar", arguments: decimalCases)
    func parseMatchesCedar(_ c: (String, Int64?)) {
        #expect(DecimalValue.parse(c.0)?.scaled == c.1, "\(c.0.debugDescription)")
    }

    @Test("text, comparison and equality")
    func textAndOrder() throws {
        #expect(DecimalValue(scaled: -5000).text == "-0.5000")
        #expect(DecimalValue(scaled: Int64.min).text == "-922337203685477.5808")
        #expect(DecimalValue(scaled: 12300).description == "decimal(\"1.2300\")")
        let a = try #require(DecimalValue.parse("1.0")), b = try #require(DecimalValue.parse("1.0000"))
        #expect(a == b)
        #expect(try #require(DecimalValue.parse("-1.5")) < a)
    }

    // Python-free property: the canonical text of any scaled value parses back to it.
    @Test("canonical text round-trips")
    func roundTrip() {
        var x: UInt64 = 88_172_645_463_325_252
        for _ in 0..<2000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let v = DecimalValue(scaled: Int64(bitPattern: x) >> Int64(x % 60))
            #expect(DecimalValue.parse(v.text) == v, "\(v.text)")
        }
        for edge in [Int64.min, Int64.max, 0, -1, 1] {
            #expect(DecimalValue.parse(DecimalValue(scaled: edge).text)?.scaled == edge)
        }
    }
}
