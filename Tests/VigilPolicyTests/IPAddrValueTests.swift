import Testing
import VigilPolicy

// The expectations below were produced by running cedarpy (Cedar 4.12) on each string and hard-coding its
// answers: validity is whether `f("s") == f("s")` evaluates without error; values and predicates were read back
// from Cedar by evaluating the corresponding Cedar expression.
/// (string, valid, isIpv4, isLoopback, isMulticast)
private let ipCases: [(String, Bool, Bool, Bool, Bool)] = [
    ("127.0.0.1", true, true, true, false),
    ("0.0.0.0", true, true, false, false),
    ("255.255.255.255", true, true, false, false),
    ("256.0.0.1", false, false, false, false),
    ("01.2.3.4", false, false, false, false),
    ("1.2.3", false, false, false, false),
    ("1.2.3.4.5", false, false, false, false),
    ("1.2.3.04", false, false, false, false),
    ("1.2.3.0", true, true, false, false),
    (" 1.2.3.4", false, false, false, false),
    ("1.2.3.4 ", false, false, false, false),
    ("1.2.3.4/0", true, true, false, false),
    ("1.2.3.4/32", true, true, false, false),
    ("1.2.3.4/33", false, false, false, false),
    ("1.2.3.4/08", false, false, false, false),
    ("1.2.3.4/", false, false, false, false),
    ("1.2.3.4/+8", false, false, false, false),
    ("1.2.3.4/-1", false, false, false, false),
    ("1.2.3.4/8/8", false, false, false, false),
    ("1.2.3.4/008", false, false, false, false),
    ("::", true, false, false, false),
    ("::1", true, false, true, false),
    ("1::", true, false, false, false),
    ("::ffff:1.2.3.4", false, false, false, false),
    ("::1.2.3.4", false, false, false, false),
    ("::ffff:ff00:1", true, false, false, false),
    ("FFEE::1", true, false, false, true),
    ("ffee::/64", true, false, false, true),
    ("ffee::/0", true, false, false, false),
    ("ffee::/128", true, false, false, true),
    ("ffee::/129", false, false, false, false),
    ("ffee::/01", false, false, false, false),
    ("ffee::/1234", false, false, false, false),
    ("1:2:3:4:5:6:7:8", true, false, false, false),
    ("1:2:3:4:5:6:7:8:9", false, false, false, false),
    ("1:2:3:4:5:6:7::", true, false, false, false),
    ("::2:3:4:5:6:7:8", true, false, false, false),
    ("1:2:3:4:5:6::7:8", false, false, false, false),
    ("1:2:3:4:5::7:8", true, false, false, false),
    ("1::2::3", false, false, false, false),
    ("1:::2", false, false, false, false),
    (":1", false, false, false, false),
    ("1:", false, false, false, false),
    ("12345::", false, false, false, false),
    ("0001:0002::", true, false, false, false),
    ("fe80::1%eth0", false, false, false, false),
    ("abcd:ef01:2345:6789:abcd:ef01:2345:6789/128", true, false, false, false),
    ("abcd:ef01:2345:6789:abcd:ef01:2345:6789/0128", false, false, false, false),
    ("abcd:ef01:2345:6789:abcd:ef01:2345:6789/12", true, false, false, false),
    ("", false, false, false, false),
    ("localhost", false, false, false, false),
    ("1.2.3.4:80", false, false, false, false),
    ("[::1]", false, false, false, false),
    ("1.2..3", false, false, false, false),
    ("::g", false, false, false, false),
    ("1.2.3.-4", false, false, false, false),
    ("224.0.0.1", true, true, false, true),
    ("239.255.255.255/4", true, true, false, true),
    ("224.0.0.0/3", true, true, false, false),
    ("127.0.0.1/7", true, true, false, false),
    ("127.255.255.255/8", true, true, true, false),
    ("ff00::/8", true, false, false, true),
    ("ff00::/7", true, false, false, false),
    ("::1/127", true, false, false, false),
    ("::1/128", true, false, true, false),
    ("0.0.0.0/0", true, true, false, false),
    ("1.2.3.4/24", true, true, false, false),
    ("10.1.2.3", true, true, false, false),
    ("1.2.3.4\n", false, false, false, false),
    ("\u{661}.2.3.4", false, false, false, false),
    ("1.2.3.4/1a", false, false, false, false),
    ("::/0", true, false, false, false),
    ("::ffff:7f00:1", true, false, false, false),
    ("1.2.3.4/3.2", false, false, false, false),
    ("1:2.3.4", false, false, false, false),
    ("a:b:c:d:e:f:1.2", false, false, false, false),
    ("1e.2.3.4", false, false, false, false),
    ("0.0.0.00", false, false, false, false),
    ("1.2.3.255/32/", false, false, false, false),
    ("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", true, false, false, true),
    ("ff02::1", true, false, false, true),
    ("1::2:3.4", false, false, false, false),
]

/// (a, b, ip(a) == ip(b))
private let ipEquality: [(String, String, Bool)] = [
    ("10.0.0.1/24", "10.0.0.0/24", false),
    ("10.0.0.1", "10.0.0.1/32", true),
    ("::ffff:7f00:1", "127.0.0.1", false),
    ("FFEE::1", "ffee::1", true),
    ("ffee::0001", "ffee::1/128", true),
    ("1.2.3.4/0", "1.2.3.4/0", true),
    ("::", "0::0", true),
    ("0:0:0:0:0:0:0:1", "::1", true),
]

/// (a, b, ip(a).isInRange(ip(b)))
private let ipRanges: [(String, String, Bool)] = [
    ("10.0.0.1", "10.0.0.0/24", true),
    ("10.0.1.1", "10.0.0.0/24", false),
    ("10.0.0.0/24", "10.0.0.0/16", true),
    ("10.0.0.0/16", "10.0.0.0/24", false),
    ("10.0.0.0/24", "10.0.0.1/24", true),
    ("1.2.3.4", "0.0.0.0/0", true),
    ("::1", "::/0", true),
    ("1.2.3.4", "::/0", false),
    ("::ffff:102:304", "1.2.3.4/32", false),
    ("ffee::1", "ffee::/16", true),
    ("ffef::1", "ffee::/16", false),
    ("ffee::/15", "ffee::/16", false),
    ("1.2.3.4", "1.2.3.4", true),
    ("1.2.3.4/31", "1.2.3.5/31", true),
]

@Suite("IPAddrValue")
struct IPAddrValueTests {
    @Test("parse agrees with Cedar on validity and predicates", arguments: ipCases)
    func parseMatchesCedar(_ c: (String, Bool, Bool, Bool, Bool)) {
        let v = IPAddrValue.parse(c.0)
        #expect((v != nil) == c.1, "validity of \(c.0.debugDescription)")
        guard let v else { return }
        #expect(v.isIPv4 == c.2)
        #expect(v.isIPv6 == !c.2)
        #expect(v.isLoopback == c.3)
        #expect(v.isMulticast == c.4)
    }

    @Test("equality keeps host bits and family, as Cedar", arguments: ipEquality)
    func equality(_ c: (String, String, Bool)) throws {
        let a = try #require(IPAddrValue.parse(c.0)), b = try #require(IPAddrValue.parse(c.1))
        #expect((a == b) == c.2)
    }

    @Test("isInRange agrees with Cedar", arguments: ipRanges)
    func inRange(_ c: (String, String, Bool)) throws {
        let a = try #require(IPAddrValue.parse(c.0)), b = try #require(IPAddrValue.parse(c.1))
        #expect(a.isInRange(b) == c.2)
    }

    @Test("parsed fields and Cedar's display form")
    func fieldsAndText() throws {
        let v4 = try #require(IPAddrValue.parse("10.1.2.3/8"))
        #expect(v4.address == 0x0A01_0203 && v4.prefixLength == 8 && v4.isIPv4)
        #expect(v4.text == "10.1.2.3/8")
        #expect(IPAddrValue.parse("FFEE:0:0:0::1")?.text == "ffee::1/128")
        #expect(IPAddrValue.parse("1:0:0:2:0:0:0:3")?.text == "1:0:0:2::3/128")
        #expect(IPAddrValue.parse("1:0:2:3:4:5:6:7")?.text == "1:0:2:3:4:5:6:7/128")
        #expect(IPAddrValue.parse("::ffff:102:304")?.text == "::ffff:1.2.3.4/128")
        #expect(IPAddrValue.parse("::")?.description == "ip(\"::/128\")")
        #expect(IPAddrValue(isIPv4: true, address: 1 << 32, prefixLength: 32) == nil)
        #expect(IPAddrValue(isIPv4: false, address: 1, prefixLength: 129) == nil)
    }

    // Python-free property: the display text parses back to the same value (the embedded-IPv4 display form
    // `::ffff:a.b.c.d` is the one exception, since Cedar refuses to parse it).
    @Test("display text round-trips")
    func roundTrip() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        for i in 0..<2000 {
            let v4 = i % 2 == 0
            // Sparse addresses exercise the `::` compression.
            var addr = UInt128(next()) << 64 | UInt128(next())
            if !v4 { for k in 0..<8 where next() % 2 == 0 { addr &= ~(UInt128(0xFFFF) << UInt128(16 * k)) } }
            if v4 { addr &= 0xFFFF_FFFF }
            let prefix = UInt8(next() % (v4 ? 33 : 129))
            guard let v = IPAddrValue(isIPv4: v4, address: addr, prefixLength: prefix), !v.text.contains(".") || v4
            else { continue }
            #expect(IPAddrValue.parse(v.text) == v, "\(v.text)")
        }
    }
}
