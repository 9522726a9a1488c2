/// A JSON text built byte by byte in one growable buffer: the drain path formats a million records a second,
/// so no encoder, no intermediate strings, no per-append bounds dance of `Array`. Noncopyable: it owns its
/// memory.
struct JSONBytes: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far (valid until the next mutation).
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The bytes as a string.
    var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// Room for `n` more bytes.
    @inline(__always)
    private mutating func ensure(_ n: Int) {
        if count &+ n > capacity { grow(count &+ n) }
    }

    private mutating func grow(_ needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        ensure(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always)
    mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        guard let src = raw.baseAddress, raw.count > 0 else { return }
        ensure(raw.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: raw.count)
        count &+= raw.count
    }

    mutating func bytes(_ array: [UInt8]) {
        array.withUnsafeBytes { bytes($0) }
    }

    /// Text that needs no escaping (keys, enum names).
    @inline(__always)
    mutating func raw(_ s: StaticString) {
        bytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// `opening` (`,"key":"`), then `value`, then the closing quote: a field whose key and value need no escaping.
    @inline(__always)
    mutating func quoted(_ opening: StaticString, _ value: StaticString) {
        raw(opening)
        raw(value)
        byte(UInt8(ascii: "\""))
    }

    /// A String's bytes, unescaped (named apart from `raw(_: StaticString)`: a literal would pick a `String`
    /// overload, and the per-record formatting would go through String's machinery).
    mutating func raw(text s: String) {
        var s = s
        s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Drops the first `n` bytes.
    mutating func removeFirst(_ n: Int) {
        let n = min(n, count)
        (base).update(from: base + n, count: count - n)
        count -= n
    }

    mutating func removeLast() { if count > 0 { count -= 1 } }

    mutating func removeAll() { count = 0 }

    /// A JSON string: quotes, backslashes and control characters escaped; everything else as UTF-8.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { escaped(UnsafeRawBufferPointer($0)) }
    }

    /// Bytes from a ring record's text field as a JSON string, exactly as `string(String(decoding: text, as:
    /// UTF8.self))` writes them: text that is valid UTF-8 is escaped in place; only invalid UTF-8 (which the
    /// decoding replaces with U+FFFD) goes through a String.
    mutating func text(_ text: UnsafeRawBufferPointer) {
        var plain = true    // printable ASCII but `"` and `\`: the common case, copied as it is
        var ascii = true
        var i = 0
        // Eight bytes at a time while nothing needs care, then byte by byte.
        while i &+ 8 <= text.count && !Self.needsCare(text.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
            i &+= 8
        }
        while i < text.count {
            let c = text[i]
            if c < 0x20 || c >= 0x80 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                plain = false
                if c >= 0x80 {
                    ascii = false
                    break
                }
            }
            i &+= 1
        }
        if plain {
            ensure(text.count &+ 2)
            base[count] = UInt8(ascii: "\"")
            if let src = text.baseAddress, text.count > 0 {
                UnsafeMutableRawPointer(base + (count &+ 1)).copyMemory(from: src, byteCount: text.count)
            }
            base[count &+ 1 &+ text.count] = UInt8(ascii: "\"")
            count &+= text.count &+ 2
        } else if ascii || UTF8Check.isValid(text) {
            escaped(text)
        } else {
            string(String(decoding: text, as: UTF8.self))
        }
    }

    /// Whether any of the eight bytes in `w` is a control character, non-ASCII, `"` or `\` (exact: the
    /// "has a byte less than n" bit tricks have no false positives for whether some byte matches).
    @inline(__always)
    static func needsCare(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let control = (w &- ones &* 0x20) & ~w
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        return (w | control | isQuote | isBackslash) & highs != 0
    }

    /// Valid UTF-8 as a JSON string: quotes, backslashes and control characters escaped.
    private mutating func escaped(_ utf8: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        var start = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
            bytes(UnsafeRawBufferPointer(rebasing: utf8[start..<i]))
            start = i + 1
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                byte(Self.hexDigit(c >> 4))
                byte(Self.hexDigit(c & 0xF))
            }
        }
        bytes(UnsafeRawBufferPointer(rebasing: utf8[start..<utf8.count]))
        byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") &+ v : UInt8(ascii: "a") &+ (v &- 10) }

    /// Bytes (a digest) as lowercase hex digits, two per byte, into `out` (exactly twice as long as `raw`).
    static func hex(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(out.count == 2 &* raw.count, "hex needs two digits per byte")
        guard let base = out.baseAddress else { return }
        var i = 0
        // Four bytes at a time: each byte's nibbles spread into two lanes of a word, then made digits at once.
        while i &+ 4 <= raw.count {
            let b = UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian)
            let spread = (b & 0xFF) | (b & 0xFF00) << 8 | (b & 0xFF_0000) << 16 | (b & 0xFF00_0000) << 24
            let nibbles = (spread >> 4) & 0x000F_000F_000F_000F | (spread & 0x000F_000F_000F_000F) << 8
            let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
            let digits = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
            UnsafeMutableRawPointer(base + 2 &* i).storeBytes(of: digits.littleEndian, as: UInt64.self)
            i &+= 4
        }
        while i < raw.count {
            base[2 &* i] = hexDigit(raw[i] >> 4)
            base[2 &* i &+ 1] = hexDigit(raw[i] & 0xF)
            i &+= 1
        }
    }

    mutating func unsigned(_ v: UInt64) {
        if v < 10 {    // most counts, errors and statuses
            byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v))
            return
        }
        var digits = 1
        var power: UInt64 = 10
        while digits < 20 && v >= power {
            digits &+= 1
            power = power &* 10    // wraps only once digits is 20, which ends the loop
        }
        ensure(digits)
        // Backwards from the last digit, two at a time from "00010203…99".
        let pairs = Self.digitPairs.utf8Start
        var x = v
        var i = count &+ digits
        while x >= 100 {
            let pair = Int(truncatingIfNeeded: x % 100)
            x /= 100
            i &-= 2
            base[i] = pairs[2 &* pair]
            base[i &+ 1] = pairs[2 &* pair &+ 1]
        }
        if x >= 10 {
            base[i &- 2] = pairs[2 &* Int(truncatingIfNeeded: x)]
            base[i &- 1] = pairs[2 &* Int(truncatingIfNeeded: x) &+ 1]
        } else {
            base[i &- 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x)
        }
        count &+= digits
    }

    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    mutating func signed(_ v: Int64) {
        if v < 0 {
            byte(UInt8(ascii: "-"))
            unsigned(v.magnitude)
        } else {
            unsigned(UInt64(v))
        }
    }

    /// `n` decimal digits of `v` (0 ≤ v < 10ⁿ), zero-padded.
    mutating func padded(_ v: Int64, _ n: Int) {
        ensure(n)
        let pairs = Self.digitPairs.utf8Start
        var x = UInt64(truncatingIfNeeded: v)
        var i = count &+ n
        while i &- count >= 2 {
            let pair = Int(truncatingIfNeeded: x % 100)
            x /= 100
            i &-= 2
            base[i] = pairs[2 &* pair]
            base[i &+ 1] = pairs[2 &* pair &+ 1]
        }
        if i > count { base[count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x % 10) }
        count &+= n
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
        byte(UInt8(ascii: "\""))
        if year < 0 || year > 9999 { signed(year) } else { padded(year, 4) }
        byte(UInt8(ascii: "-"))
        padded(month, 2)
        byte(UInt8(ascii: "-"))
        padded(day, 2)
        byte(UInt8(ascii: "T"))
        padded(daySecs / 3600, 2)
        byte(UInt8(ascii: ":"))
        padded(daySecs / 60 % 60, 2)
        byte(UInt8(ascii: ":"))
        padded(daySecs % 60, 2)
        byte(UInt8(ascii: "."))
        padded(nanos, 9)
        raw("Z\"")
    }
}

/// Well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no surrogates, nothing past U+10FFFF, no cut
/// sequence. What `String(decoding:as:)` leaves unchanged.
enum UTF8Check {
    static func isValid(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i &+= 1
                continue
            }
            // The second byte's range depends on the first; later continuation bytes are 80...BF.
            let (length, low, high): (Int, UInt8, UInt8) = switch c {
            case 0xC2...0xDF: (2, 0x80, 0xBF)
            case 0xE0: (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
            case 0xED: (3, 0x80, 0x9F)
            case 0xF0: (4, 0x90, 0xBF)
            case 0xF1...0xF3: (4, 0x80, 0xBF)
            case 0xF4: (4, 0x80, 0x8F)
            default: (0, 0, 0)
            }
            guard length > 0, n &- i >= length, b[i &+ 1] >= low, b[i &+ 1] <= high else { return false }
            var k = 2
            while k < length {
                guard b[i &+ k] & 0xC0 == 0x80 else { return false }
                k &+= 1
            }
            i &+= length
        }
        return true
    }
}
