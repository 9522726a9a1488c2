import Testing
import VigilPolicy

// The expectations below were produced by running cedarpy (Cedar 4.12) on each string and hard-coding its
// answers: validity is whether `f("s") == f("s")` evaluates without error; values and predicates were read back
// from Cedar by evaluating the corresponding Cedar expression.
/// (string, milliseconds since the epoch or nil when Cedar rejects it)
private let datetimeCases: [(String, Int64?)] = [
    ("2024-01-01", 1704067200000),
    ("1970-01-01", 0),
    ("0000-01-01", -62167219200000),
    ("9999-12-31", 253402214400000),
    ("2024-02-29", 1709164800000),
    ("2023-02-29", nil),
    ("1900-02-29", nil),
    ("2000-02-29", 951782400000),
    ("2024-13-01", nil),
    ("2024-00-10", nil),
    ("2024-01-00", nil),
    ("2024-01-32", nil),
    ("2024-04-31", nil),
    ("24-01-01", nil),
    ("2024-1-01", nil),
    ("2024-01-01T", nil),
    ("2024-01-01Z", nil),
    ("2024-01-01T00:00:00", nil),
    ("2024-01-01T00:00:00Z", 1704067200000),
    ("2024-01-01T23:59:59Z", 1704153599000),
    ("2024-01-01T24:00:00Z", nil),
    ("2024-01-01T23:60:00Z", nil),
    ("2024-01-01T23:59:60Z", nil),
    ("2024-01-01T12:34:56.789Z", 1704112496789),
    ("2024-01-01T12:34:56.78Z", nil),
    ("2024-01-01T12:34:56.7890Z", nil),
    ("2024-01-01T12:34:56+0100", 1704108896000),
    ("2024-01-01T12:34:56-0130", 1704117896000),
    ("2024-01-01T12:34:56.001+2359", 1704026156001),
    ("2024-01-01T12:34:56+2400", nil),
    ("2024-01-01T12:34:56+0060", nil),
    ("2024-01-01T12:34:56+01:00", nil),
    ("2024-01-01T12:34:56+01", nil),
    ("2024-01-01t12:34:56Z", nil),
    ("2024-01-01T12:34:56z", nil),
    ("2024-01-01 12:34:56Z", nil),
    ("0000-01-01T00:00:00+2359", -62167305540000),
    ("9999-12-31T23:59:59.999-2359", 253402387139999),
    ("1969-12-31T23:59:59.999Z", -1),
    ("2024-01-01T12:34:56.789", nil),
    ("+2024-01-01", nil),
    ("2024-01-01T12:34:56Z ", nil),
    ("-001-01-01", nil),
    ("2024-01-01T1:02:03Z", nil),
    ("2024-01-01T12:34:56.Z", nil),
    ("2024-01-01T12:34:56.789+0100", 1704108896789),
    ("0000-02-29", -62162121600000),
    ("0100-02-29", nil),
    ("1600-02-29", -11670998400000),
    ("2024-06-30T00:00:00-0000", 1719705600000),
    ("2024-01-01T00:00:00+0000Z", nil),
    ("2024-01-01TZ", nil),
    ("\u{662}024-01-01", nil),
    ("2024-01-01T12:34:56.789-2359", 1704198836789),
]

/// (instant ms, toDate() ms or nil on overflow, toTime() ms)
private let dayCases: [(Int64, Int64?, Int64)] = [
    (0, 0, 0),
    (1, 0, 1),
    (-1, -86400000, 86399999),
    (86399999, 0, 86399999),
    (86400000, 86400000, 0),
    (-86400000, -86400000, 0),
    (-86400001, -172800000, 86399999),
    (1704112496789, 1704067200000, 45296789),
    (-62167219200000, -62167219200000, 0),
    (9223372036854775807, 9223372036828800000, 25975807),
    (-9223372036854775808, nil, 60424192),
    (-9223372036800000000, -9223372036828800000, 28800000),
]

/// (instant ms, duration ms, offset result or nil on overflow)
private let offsetCases: [(Int64, Int64, Int64?)] = [
    (0, 5, 5),
    (9223372036854775807, 1, nil),
    (-9223372036854775808, -1, nil),
    (-9223372036854775808, 9223372036854775807, -1),
    (100, -200, -100),
]

/// (a ms, b ms, a.durationSince(b) or nil on overflow)
private let sinceCases: [(Int64, Int64, Int64?)] = [
    (5, 3, 2),
    (3, 5, -2),
    (9223372036854775807, -1, nil),
    (-9223372036854775808, 1, nil),
    (-1, 9223372036854775807, -9223372036854775808),
]

@Suite("DatetimeValue")
struct DatetimeValueTests {
    @Test("parse agrees with Cedar", arguments: datetimeCases)
    func parseMatchesCedar(_ c: (String, Int64?)) {
        #expect(DatetimeValue.parse(c.0)?.millisecondsSinceEpoch == c.1, "\(c.0.debugDescription)")
    }

    @Test("toDate and toTime agree with Cedar", arguments: dayCases)
    func dayParts(_ c: (Int64, Int64?, Int64)) {
        let d = DatetimeValue(millisecondsSinceEpoch: c.0)
        #expect(d.toDate()?.millisecondsSinceEpoch == c.1)
        #expect(d.toTime().milliseconds == c.2)
    }

    @Test("offset agrees with Cedar", arguments: offsetCases)
    func offset(_ c: (Int64, Int64, Int64?)) {
        let d = DatetimeValue(millisecondsSinceEpoch: c.0)
        #expect(d.offset(by: DurationValue(milliseconds: c.1))?.millisecondsSinceEpoch == c.2)
    }

    @Test("durationSince agrees with Cedar", arguments: sinceCases)
    func since(_ c: (Int64, Int64, Int64?)) {
        let a = DatetimeValue(millisecondsSinceEpoch: c.0), b = DatetimeValue(millisecondsSinceEpoch: c.1)
        #expect(a.durationSince(b)?.milliseconds == c.2)
    }

    @Test("display text")
    func text() {
        #expect(DatetimeValue(millisecondsSinceEpoch: 1_704_112_496_789).description
            == "datetime(\"2024-01-01T12:34:56.789Z\")")
        #expect(DatetimeValue(millisecondsSinceEpoch: -1).isoText == "1969-12-31T23:59:59.999Z")
        #expect(DatetimeValue(millisecondsSinceEpoch: Int64.min).description
            == "datetime(\"1970-01-01\").offset(duration(\"-9223372036854775808ms\"))")
    }

    // Python-free property: every instant in years 0000…9999 prints as ISO text that parses back to it.
    @Test("ISO text round-trips across the whole writable range")
    func roundTrip() throws {
        let low = try #require(DatetimeValue.parse("0000-01-01")).millisecondsSinceEpoch
        let high = try #require(DatetimeValue.parse("9999-12-31T23:59:59.999Z")).millisecondsSinceEpoch
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<3000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let ms = low + Int64(x % UInt64(high - low + 1))
            let d = DatetimeValue(millisecondsSinceEpoch: ms)
            let iso = try #require(d.isoText)
            #expect(DatetimeValue.parse(iso) == d, "\(iso)")
        }
        #expect(DatetimeValue(millisecondsSinceEpoch: low - 1).isoText == nil)
        #expect(DatetimeValue(millisecondsSinceEpoch: high + 1).isoText == nil)
    }
}
