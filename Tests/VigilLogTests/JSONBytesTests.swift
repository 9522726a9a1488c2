import TestSupport
import Testing
@testable import VigilLog

/// The byte-level writers the drain path relies on, against plain reference implementations.
@Suite struct JSONBytesTests {
    @Test func unsignedWritesDecimal() {
        var values: [UInt64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535, 4_294_967_295, UInt64.max, UInt64.max - 1]
        var power: UInt64 = 1
        for _ in 0..<19 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 { values.append(rng.next() >> (rng.next() % 64)) }
        var wrong: [UInt64] = []
        for v in values {
            var out = JSONBytes(capacity: 64)
            out.raw("x")
            out.unsigned(v)
            out.raw("y")
            if out.text != "x\(v)y" { wrong.append(v) }
        }
        #expect(wrong.isEmpty)
        var negative = JSONBytes()
        negative.signed(Int64.min)
        negative.byte(UInt8(ascii: " "))
        negative.signed(-7)
        #expect(negative.text == "\(Int64.min) -7")
    }

    @Test func paddedWritesExactlyNDigits() {
        var rng = SplitMix64(seed: 8)
        var wrong: [(Int64, Int)] = []
        for n in 1...9 {
            var limit: Int64 = 1
            for _ in 0..<n { limit *= 10 }
            for v in [0, 1, 9, limit / 10, limit - 1] + (0..<500).map({ _ in Int64(rng.next() % UInt64(limit)) }) {
                var out = JSONBytes()
                out.raw("x")
                out.padded(v, n)
                let digits = String(v)
                if out.text != "x" + String(repeating: "0", count: n - digits.count) + digits { wrong.append((v, n)) }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test func hexWritesTwoLowercaseDigitsPerByte() {
        func hex(_ bytes: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: 2 * bytes.count)
            bytes.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { JSONBytes.hex(raw, into: $0) } }
            return String(decoding: out, as: UTF8.self)
        }
        var rng = SplitMix64(seed: 4)
        for n in [0, 1, 3, 4, 5, 31, 32, 33] {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(hex(bytes) == bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        }
        #expect(hex(Array(0...255)) == (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    /// The word-at-a-time test flags a word exactly when one of its bytes needs escaping or is not ASCII.
    @Test func needsCareIsExact() {
        func byByte(_ w: UInt64) -> Bool {
            (0..<8).contains { i in
                let c = UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))
                return c < 0x20 || c >= 0x80 || c == 0x22 || c == 0x5C
            }
        }
        var wrong: [UInt64] = []
        // Every byte value in every lane of an otherwise plain word, and after every other byte value.
        let plain: UInt64 = 0x6162_6364_6566_6768
        for lane in 0..<8 {
            for c in 0...255 {
                let shift = UInt64(8 * lane)
                let w = plain & ~(0xFF << shift) | UInt64(c) << shift
                if JSONBytes.needsCare(w) != byByte(w) { wrong.append(w) }
                for d in [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xFF] where lane < 7 {
                    let w2 = w & ~(0xFF << (shift + 8)) | UInt64(d) << (shift + 8)
                    if JSONBytes.needsCare(w2) != byByte(w2) { wrong.append(w2) }
                }
            }
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<100_000 {
            // Bytes mostly near the boundaries.
            var w: UInt64 = 0
            for i in 0..<8 {
                let near: [UInt8] = [0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x41]
                w |= UInt64(near[Int(rng.next() % UInt64(near.count))]) << UInt64(8 * i)
            }
            if JSONBytes.needsCare(w) != byByte(w) { wrong.append(w) }
        }
        #expect(wrong.isEmpty)
    }

    /// `text` writes what `string` writes for the decoded String, at every length around the word size.
    @Test func textMatchesString() {
        var rng = SplitMix64(seed: 6)
        let alphabet = Array("abcXYZ09-_:/".utf8) + [0x22, 0x5C, 0x0A, 0x01, 0x7F, 0xC3, 0xA9, 0xE6, 0x9D, 0xB1, 0xFF]
        var wrong: [[UInt8]] = []
        for n in 0..<40 {
            for _ in 0..<200 {
                let plainOnly = rng.next() % 2 == 0
                let bytes = (0..<n).map { _ in
                    plainOnly ? alphabet[Int(rng.next() % 12)] : alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
                var fast = JSONBytes()
                var reference = JSONBytes()
                bytes.withUnsafeBytes { fast.text($0) }
                reference.string(String(decoding: bytes, as: UTF8.self))
                if fast.text != reference.text { wrong.append(bytes) }
            }
        }
        #expect(wrong.isEmpty)
    }
}
