/// A value of Cedar's `duration` extension type: a signed number of milliseconds that fits in 64 bits.
///
/// Semantics follow `cedar-policy-core/src/extensions/datetime.rs` (`Duration`). Durations compare by length
/// (`<` and friends apply to them directly in Cedar).
public struct DurationValue: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in milliseconds.
    public let milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Parses the argument of `duration(…)` exactly as Cedar does, or returns `nil` where Cedar raises an error.
    ///
    /// Cedar's rules (`parse_duration`): the string matches `-?(N d)?(N h)?(N m)?(N s)?(N ms)?` with `N` one or more
    /// ASCII digits; so units appear at most once each, in the order `d h m s ms`, at least one is present (the
    /// empty string and `-` alone are refused), and there are no spaces or `+`. Each quantity must fit in a `u64`
    /// and then an `i64`; the total is built as milliseconds, then seconds × 1000, minutes × 60000, hours ×
    /// 3600000 and days × 86400000, each product and sum checked for overflow (sums become differences after
    /// `-`). So `-9223372036854775808ms` is valid but `9223372036854775808ms` is not.
    public static func parse(_ s: String) -> DurationValue? {
        let b = Array(s.utf8)
        let negative = b.first == UInt8(ascii: "-")
        var i = negative ? 1 : 0
        guard i < b.count else { return nil }
        // Quantities by unit, in order d, h, m, s, ms; `nil` when the unit is absent.
        var quantities: [UInt64?] = [nil, nil, nil, nil, nil]
        var lastUnit = -1
        while i < b.count {
            let start = i
            while i < b.count, ASCII.digit(b[i]) != nil { i += 1 }
            guard i > start, i < b.count else { return nil }
            let unit: Int
            switch b[i] {
            case UInt8(ascii: "d"): unit = 0
            case UInt8(ascii: "h"): unit = 1
            case UInt8(ascii: "m"):
                if i + 1 < b.count && b[i + 1] == UInt8(ascii: "s") {
                    unit = 4
                    i += 1
                } else {
                    unit = 2
                }
            case UInt8(ascii: "s"): unit = 3
            default: return nil
            }
            guard unit > lastUnit else { return nil }
            // A quantity too large for u64 is Cedar's overflow error.
            guard let q = ASCII.uint64(b[start..<(i - (unit == 4 ? 1 : 0))]) else { return nil }
            quantities[unit] = q
            lastUnit = unit
            i += 1
        }
        // Milliseconds first: with a `-` they may reach -2^63.
        let msMagnitude = quantities[4] ?? 0
        var total: Int64
        if negative {
            guard msMagnitude <= UInt64(Int64.max) + 1 else { return nil }
            total = Int64(truncatingIfNeeded: 0 &- msMagnitude)
        } else {
            guard msMagnitude <= UInt64(Int64.max) else { return nil }
            total = Int64(msMagnitude)
        }
        let factors: [(unit: Int, ms: Int64)] = [(3, 1000), (2, 60_000), (1, 3_600_000), (0, 86_400_000)]
        for (unit, factor) in factors {
            let q = quantities[unit] ?? 0
            guard q <= UInt64(Int64.max) else { return nil }
            let (product, o1) = Int64(q).multipliedReportingOverflow(by: factor)
            guard !o1 else { return nil }
            let (sum, o2) = negative
                ? total.subtractingReportingOverflow(product) : total.addingReportingOverflow(product)
            guard !o2 else { return nil }
            total = sum
        }
        return DurationValue(milliseconds: total)
    }

    public static func < (a: DurationValue, b: DurationValue) -> Bool { a.milliseconds < b.milliseconds }

    /// Cedar's `toMilliseconds()`.
    public var toMilliseconds: Int64 { milliseconds }
    /// Cedar's `toSeconds()`: milliseconds / 1000, truncated toward zero (Rust's `/`), so `-1500ms` gives -1.
    public var toSeconds: Int64 { toMilliseconds / 1000 }
    /// Cedar's `toMinutes()`: `toSeconds() / 60`, truncated toward zero.
    public var toMinutes: Int64 { toSeconds / 60 }
    /// Cedar's `toHours()`: `toMinutes() / 60`, truncated toward zero.
    public var toHours: Int64 { toMinutes / 60 }
    /// Cedar's `toDays()`: `toHours() / 24`, truncated toward zero.
    public var toDays: Int64 { toHours / 24 }

    /// Cedar's canonical text, always in milliseconds: `-93784005ms`.
    public var text: String { "\(milliseconds)ms" }

    /// `duration("90000ms")`.
    public var description: String { "duration(\"\(text)\")" }
}
