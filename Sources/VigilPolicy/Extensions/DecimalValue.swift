/// A value of Cedar's `decimal` extension type: a fixed-point number with four fractional digits, stored as a
/// 64-bit integer scaled by 10⁴, so the range is -922337203685477.5808 … 922337203685477.5807.
///
/// Semantics follow `cedar-policy-core/src/extensions/decimal.rs`. Values compare by magnitude (`lessThan` and
/// friends are `<`, `<=`, `>`, `>=`), and equality is numeric: `decimal("1.0") == decimal("1.0000")`.
public struct DecimalValue: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value times 10⁴: `1.23` is `12300`.
    public let scaled: Int64

    /// The number of fractional digits kept.
    public static let fractionalDigits = 4

    public init(scaled: Int64) {
        self.scaled = scaled
    }

    /// Parses the argument of `decimal(…)` exactly as Cedar does, or returns `nil` where Cedar raises an error.
    ///
    /// Cedar's rules (`Decimal::from_str`): the whole string matches `-?[0-9]+\.[0-9]+` (digits required on both
    /// sides, no `+`, no exponent, no spaces; leading zeros allowed); at most four digits after the point; and the
    /// result must fit: integer part × 10⁴ ± fraction × 10^(4 − digits), each step checked for overflow, with
    /// the fraction subtracted when the string starts with `-` (so `-0.5` is −0.5).
    public static func parse(_ s: String) -> DecimalValue? {
        let b = Array(s.utf8)[...]
        guard let dot = b.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let negative = b.first == UInt8(ascii: "-")
        let intDigits = b[(negative ? b.startIndex + 1 : b.startIndex)..<dot]
        let fracDigits = b[(dot + 1)...]
        guard ASCII.allDigits(intDigits), ASCII.allDigits(fracDigits) else { return nil }
        // Cedar parses the integer part with its sign; the magnitude of i64::MIN is 2^63, which still fails the
        // ×10⁴ step below, so parsing the magnitude as unsigned loses nothing.
        guard fracDigits.count <= fractionalDigits,
              let intMagnitude = ASCII.uint64(intDigits), intMagnitude <= UInt64(Int64.max) + (negative ? 1 : 0)
        else { return nil }
        let intPart = negative ? Int64(truncatingIfNeeded: 0 &- intMagnitude) : Int64(intMagnitude)
        let (l, o1) = intPart.multipliedReportingOverflow(by: 10_000)
        guard !o1, let frac = ASCII.uint64(fracDigits) else { return nil }
        var r = Int64(frac)
        for _ in fracDigits.count..<fractionalDigits { r *= 10 }
        let (v, o2) = negative ? l.subtractingReportingOverflow(r) : l.addingReportingOverflow(r)
        return o2 ? nil : DecimalValue(scaled: v)
    }

    public static func < (a: DecimalValue, b: DecimalValue) -> Bool { a.scaled < b.scaled }

    /// Cedar's canonical text, always with four fractional digits: `1.2300`, `-0.5000`.
    public var text: String {
        let magnitude = scaled.magnitude
        let fraction = String(magnitude % 10_000)
        return (scaled < 0 ? "-" : "") + "\(magnitude / 10_000)."
            + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// `decimal("1.2300")`.
    public var description: String { "decimal(\"\(text)\")" }
}
