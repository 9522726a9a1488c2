import Testing
import VigilPolicy

// The expectations below were produced by running cedarpy (Cedar 4.12) on each string and hard-coding its
// answers: validity is whether `f("s") == f("s")` evaluates without error; values and predicates were read back
// from Cedar by evaluating the corresponding Cedar expression.
/// (string, milliseconds or nil when Cedar rejects it)
private let durationCases: [(String, Int64?)] = [
    ("0ms", 0),
    ("1d", 86400000),
    ("1d2h3m4s5ms", 93784005),
    ("-1d2h3m4s5ms", -93784005),
    ("1h30m", 5400000),
    ("30m1h", nil),
    ("1ms", 1),
    ("1m", 60000),
    ("1s", 1000),
    ("-", nil),
    ("", nil),
    ("1", nil),
    ("d", nil),
    ("1d1d", nil),
    ("1.5h", nil),
    (" 1h", nil),
    ("+1h", nil),
    ("1H", nil),
    ("1d2ms", 86400002),
    ("1m2ms", 60002),
    ("2ms1m", nil),
    ("9223372036854775807ms", 9223372036854775807),
    ("9223372036854775808ms", nil),
    ("-9223372036854775808ms", -9223372036854775808),
    ("-9223372036854775809ms", nil),
    ("106751991167d", 9223372036828800000),
    ("106751991168d", nil),
    ("-106751991167d23h47m16s854ms", nil),
    ("-106751991167d23h47m16s855ms", nil),
    ("106751991167d23h47m16s854ms", nil),
    ("106751991167d23h47m16s855ms", nil),
    ("18446744073709551616ms", nil),
    ("0d0h0m0s0ms", 0),
    ("--1d", nil),
    ("1s1m", nil),
    ("01m", 60000),
    ("1mss", nil),
    ("-0ms", 0),
    ("9223372036854775s", 9223372036854775000),
    ("9223372036854776s", nil),
    ("1d 2h", nil),
    ("1dh", nil),
    ("-0s9223372036854775808ms", -9223372036854775808),
    ("1m1ms", 60001),
    ("5ms1s", nil),
    ("2562047788015215h", nil),
]

/// (ms, toDays, toHours, toMinutes, toSeconds)
private let conversionCases: [(Int64, Int64, Int64, Int64, Int64)] = [
    (0, 0, 0, 0, 0),
    (1500, 0, 0, 0, 1),
    (-1500, 0, 0, 0, -1),
    (93784005, 1, 26, 1563, 93784),
    (-93784005, -1, -26, -1563, -93784),
    (86399999, 0, 23, 1439, 86399),
    (-86400000, -1, -24, -1440, -86400),
    (9223372036854775807, 106751991167, 2562047788015, 153722867280912, 9223372036854775),
    (-9223372036854775808, -106751991167, -2562047788015, -153722867280912, -9223372036854775),
]

@Suite("DurationValue")
struct DurationValueTests {
    @Test("parse agrees with Cedar", arguments: durationCases)
    func parseMatchesCedar(_ c: (String, Int64?)) {
        #expect(DurationValue.parse(c.0)?.milliseconds == c.1, "\(c.0.debugDescription)")
    }

    @Test("conversions truncate toward zero, as Cedar", arguments: conversionCases)
    func conversions(_ c: (Int64, Int64, Int64, Int64, Int64)) {
        let d = DurationValue(milliseconds: c.0)
        #expect([d.toDays, d.toHours, d.toMinutes, d.toSeconds] == [c.1, c.2, c.3, c.4])
        #expect(d.toMilliseconds == c.0)
    }

    // Python-free property: Cedar's canonical text `Nms` parses back, and the unit form agrees with arithmetic.
    @Test("canonical text round-trips and units add up")
    func roundTrip() {
        var x: UInt64 = 0xDEAD_BEEF_CAFE_F00D
        for _ in 0..<2000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let d = DurationValue(milliseconds: Int64(bitPattern: x) >> Int64(x % 63))
            #expect(DurationValue.parse(d.text) == d)
            let parts = [x % 1000, x / 7 % 24, x / 11 % 60, x / 13 % 60, x / 17 % 1000]
            let expected = Int64(parts[0]) * 86_400_000 + Int64(parts[1]) * 3_600_000 + Int64(parts[2]) * 60000
                + Int64(parts[3]) * 1000 + Int64(parts[4])
            let text = "\(parts[0])d\(parts[1])h\(parts[2])m\(parts[3])s\(parts[4])ms"
            #expect(DurationValue.parse(text)?.milliseconds == expected)
            #expect(DurationValue.parse("-" + text)?.milliseconds == -expected)
        }
    }
}
