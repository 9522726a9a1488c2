/// A JSON text built byte by byte: the drain path writes a million records a second, so no encoder, no
/// intermediate strings and no formatter objects.
struct JSONBytes {
    var bytes: [UInt8] = []

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// Text that needs no escaping (keys, enum names).
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// A JSON string: quotes, backslashes and control characters escaped; everything else as UTF-8.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var start = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                switch c {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                default:
                    raw("\\u00")
                    bytes.append(Self.hexDigits[Int(c >> 4)])
                    bytes.append(Self.hexDigits[Int(c & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func unsigned(_ v: UInt64) {
        let start = bytes.count
        var x = v
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x % 10))
            x /= 10
        } while x > 0
        bytes[start...].reverse()
    }

    mutating func signed(_ v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(v.magnitude)
        } else {
            unsigned(UInt64(v))
        }
    }

    /// `n` decimal digits of `v`, zero-padded.
    private mutating func padded(_ v: Int64, _ n: Int) {
        var div: Int64 = 1
        for _ in 1..<n { div *= 10 }
        var x = v
        while div > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: (x / div) % 10))
            x %= div
            div /= 10
        }
    }

    /// Unix nanoseconds as an RFC 3339 UTC timestamp with nanoseconds: `"2026-11-22T23:41:33.123456789Z"`.
    mutating func timestamp(_ ns: Int64) {
        let (secs, frac) = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
        let s = frac < 0 ? secs - 1 : secs
        let nanos = frac < 0 ? frac + 1_000_000_000 : frac
        var (days, daySecs) = s.quotientAndRemainder(dividingBy: 86_400)
        if daySecs < 0 { days -= 1; daySecs += 86_400 }
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        bytes.append(UInt8(ascii: "\""))
        if year < 0 || year > 9999 { signed(year) } else { padded(year, 4) }
        bytes.append(UInt8(ascii: "-"))
        padded(month, 2)
        bytes.append(UInt8(ascii: "-"))
        padded(day, 2)
        bytes.append(UInt8(ascii: "T"))
        padded(daySecs / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(daySecs / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(daySecs % 60, 2)
        bytes.append(UInt8(ascii: "."))
        padded(nanos, 9)
        raw("Z\"")
    }
}
