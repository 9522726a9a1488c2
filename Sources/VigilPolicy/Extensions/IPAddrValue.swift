/// A value of Cedar's `ipaddr` extension type: an IPv4 or IPv6 address with a prefix length (CIDR), as built by
/// `ip("10.0.0.1")` or `ip("10.0.0.0/24")`.
///
/// Semantics follow `cedar-policy-core/src/extensions/ipaddr.rs`. Equality compares family, address and prefix as
/// written: the host bits are kept, so `ip("10.0.0.1/24") != ip("10.0.0.0/24")`, and an IPv4 address never equals
/// an IPv6 one, even one that embeds it.
public struct IPAddrValue: Hashable, Sendable, CustomStringConvertible {
    /// `true` for IPv4, `false` for IPv6.
    public let isIPv4: Bool
    /// The address bits. An IPv4 address is kept in the low 32 bits.
    public let address: UInt128
    /// The prefix length: 0...32 for IPv4, 0...128 for IPv6. A single address has the maximum.
    public let prefixLength: UInt8

    /// Builds a value from its parts; returns `nil` when the prefix or the address is out of range for the family.
    public init?(isIPv4: Bool, address: UInt128, prefixLength: UInt8) {
        guard prefixLength <= (isIPv4 ? 32 : 128), !isIPv4 || address <= UInt128(UInt32.max) else { return nil }
        self.isIPv4 = isIPv4
        self.address = address
        self.prefixLength = prefixLength
    }

    /// `true` for IPv6.
    public var isIPv6: Bool { !isIPv4 }

    /// Cedar's `isLoopback()`: the address is loopback (`127.0.0.0/8` for IPv4, exactly `::1` for IPv6) and the
    /// prefix is at least as long as the loopback range's (8 for IPv4, 128 for IPv6), so the whole range is
    /// loopback. An IPv4 address embedded in IPv6 is not loopback (Rust's `Ipv6Addr::is_loopback`).
    public var isLoopback: Bool {
        isIPv4 ? (address >> 24 == 127 && prefixLength >= 8) : (address == 1 && prefixLength >= 128)
    }

    /// Cedar's `isMulticast()`: the address is multicast (`224.0.0.0/4` for IPv4, `ff00::/8` for IPv6) and the
    /// prefix is at least 4 (IPv4) or 8 (IPv6).
    public var isMulticast: Bool {
        isIPv4 ? (address >> 28 == 0xE && prefixLength >= 4) : (address >> 120 == 0xFF && prefixLength >= 8)
    }

    /// Cedar's `isInRange(other)`: both are the same family and the range of `self` (network to broadcast, with
    /// its own prefix) lies inside the range of `other`. Different families are never in range of each other.
    public func isInRange(_ other: IPAddrValue) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        let width: UInt8 = isIPv4 ? 32 : 128
        let all: UInt128 = isIPv4 ? UInt128(UInt32.max) : UInt128.max
        // The netmask keeps the top `prefix` bits; a zero prefix keeps none (Rust's checked_shl overflow → 0).
        func netmask(_ prefix: UInt8) -> UInt128 {
            prefix == 0 ? 0 : (all << UInt128(width - prefix)) & all
        }
        let selfNetwork = address & netmask(prefixLength)
        let otherNetwork = other.address & netmask(other.prefixLength)
        let selfBroadcast = address | (all & ~netmask(prefixLength))
        let otherBroadcast = other.address | (all & ~netmask(other.prefixLength))
        return otherNetwork <= selfNetwork && selfBroadcast <= otherBroadcast
    }

    /// Parses the argument of `ip(…)` exactly as Cedar does, or returns `nil` where Cedar raises an error.
    ///
    /// Cedar's rules (`IPAddr::from_str` in ipaddr.rs, on top of Rust's `std::net::IpAddr` parser):
    /// - at most 43 bytes (the longest IPv6 CIDR, `ABCD:…:6789/128`);
    /// - a string with at least two `:` and at least two `.` is refused, so IPv4 embedded in IPv6
    ///   (`::ffff:1.2.3.4`) never parses; write it in hex instead (`::ffff:102:304`, which is an IPv6 address);
    /// - the address is everything before the first `/`: IPv4 is four decimal octets 0…255 with no leading zeros
    ///   (`01.2.3.4` is refused); IPv6 is up to eight groups of one to four hex digits (either case, leading zeros
    ///   allowed), with at most one `::` standing for at least one zero group; no zone (`%eth0`);
    /// - the prefix after `/` is one to two (IPv4) or three (IPv6) ASCII digits, no sign, no leading zero unless it
    ///   is `0`, and at most 32 or 128; without a `/` the prefix is the maximum.
    public static func parse(_ s: String) -> IPAddrValue? {
        let bytes = Array(s.utf8)
        guard bytes.count <= 43 else { return nil }
        let colons = bytes.lazy.filter { $0 == UInt8(ascii: ":") }.count
        let dots = bytes.lazy.filter { $0 == UInt8(ascii: ".") }.count
        if colons >= 2 && dots >= 2 { return nil }
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else {
            if let v4 = ipv4(bytes[...]) { return IPAddrValue(isIPv4: true, address: UInt128(v4), prefixLength: 32) }
            if let v6 = ipv6(bytes[...]) { return IPAddrValue(isIPv4: false, address: v6, prefixLength: 128) }
            return nil
        }
        let addressBytes = bytes[..<slash]
        let prefixBytes = bytes[(slash + 1)...]
        if let v4 = ipv4(addressBytes) {
            guard let p = prefix(prefixBytes, max: 32, maxDigits: 2) else { return nil }
            return IPAddrValue(isIPv4: true, address: UInt128(v4), prefixLength: p)
        }
        if let v6 = ipv6(addressBytes) {
            guard let p = prefix(prefixBytes, max: 128, maxDigits: 3) else { return nil }
            return IPAddrValue(isIPv4: false, address: v6, prefixLength: p)
        }
        return nil
    }

    /// Cedar's `parse_prefix`: digits only, bounded length, no leading zeros, at most `max`.
    private static func prefix(_ b: ArraySlice<UInt8>, max: UInt8, maxDigits: Int) -> UInt8? {
        guard b.count <= maxDigits, ASCII.allDigits(b) else { return nil }
        if b.first == UInt8(ascii: "0") && b.count > 1 { return nil }
        guard let v = ASCII.smallNumber(b), v <= Int(max) else { return nil }
        return UInt8(v)
    }

    /// Rust's `Ipv4Addr` parser: exactly four octets separated by `.`, each one to three decimal digits without a
    /// leading zero (except `0` itself), at most 255.
    private static func ipv4(_ b: ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        var i = b.startIndex
        while true {
            let start = i
            while i < b.endIndex, ASCII.digit(b[i]) != nil { i += 1 }
            let digits = b[start..<i]
            guard !digits.isEmpty, digits.count <= 3 else { return nil }
            if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
            guard let v = ASCII.smallNumber(digits), v <= 255 else { return nil }
            result = result << 8 | UInt32(v)
            octets += 1
            if octets == 4 { return i == b.endIndex ? result : nil }
            guard i < b.endIndex, b[i] == UInt8(ascii: ".") else { return nil }
            i += 1
        }
    }

    /// Rust's `Ipv6Addr` parser without the embedded-IPv4 form (which Cedar refuses beforehand): a head of up to
    /// eight groups; if fewer than eight, then `::` and a tail of at most `7 - head` groups.
    private static func ipv6(_ b: ArraySlice<UInt8>) -> UInt128? {
        var i = b.startIndex
        /// Reads `:`-separated groups (the first without a separator) until `limit` groups or a group fails to
        /// read; a failed group, separator included, consumes nothing.
        func groups(limit: Int) -> [UInt16] {
            var out: [UInt16] = []
            while out.count < limit {
                var j = i
                if !out.isEmpty {
                    guard j < b.endIndex, b[j] == UInt8(ascii: ":") else { break }
                    j += 1
                }
                var v: UInt32 = 0
                var n = 0
                while j < b.endIndex, let d = ASCII.hexDigit(b[j]) {
                    n += 1
                    if n > 4 { break }
                    v = v << 4 | UInt32(d)
                    j += 1
                }
                guard n >= 1, n <= 4 else { break }
                out.append(UInt16(v))
                i = j
            }
            return out
        }
        func combine(_ gs: [UInt16]) -> UInt128 {
            gs.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
        }
        let head = groups(limit: 8)
        if head.count == 8 { return i == b.endIndex ? combine(head) : nil }
        guard i + 1 < b.endIndex, b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: ":") else { return nil }
        i += 2
        let tail = groups(limit: 8 - (head.count + 1))
        guard i == b.endIndex else { return nil }
        let zeros = [UInt16](repeating: 0, count: 8 - head.count - tail.count)
        return combine(head + zeros + tail)
    }

    /// The address and prefix as Cedar displays them, `10.0.0.1/32` or `ffee::/64`. IPv6 uses Rust's formatting:
    /// lowercase hex, the longest run of two or more zero groups (the first on a tie) written `::`, and an
    /// IPv4-mapped address written `::ffff:a.b.c.d`.
    public var text: String {
        "\(addressText)/\(prefixLength)"
    }

    private var addressText: String {
        func dotted(_ v: UInt32) -> String {
            "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        if isIPv4 { return dotted(UInt32(truncatingIfNeeded: address)) }
        if address >> 32 == 0xFFFF { return "::ffff:" + dotted(UInt32(truncatingIfNeeded: address)) }
        let segments = (0..<8).map { UInt16(truncatingIfNeeded: address >> UInt128(112 - 16 * $0)) }
        var bestStart = 0, bestLength = 0, runStart = 0, runLength = 0
        for (k, seg) in segments.enumerated() {
            if seg == 0 {
                if runLength == 0 { runStart = k }
                runLength += 1
                if runLength > bestLength { (bestStart, bestLength) = (runStart, runLength) }
            } else {
                runLength = 0
            }
        }
        func hex(_ part: ArraySlice<UInt16>) -> String { part.map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestLength > 1 else { return hex(segments[...]) }
        return hex(segments[..<bestStart]) + "::" + hex(segments[(bestStart + bestLength)...])
    }

    /// `ip("10.0.0.1/32")`.
    public var description: String { "ip(\"\(text)\")" }
}
