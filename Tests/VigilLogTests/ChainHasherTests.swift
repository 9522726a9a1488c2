import CSHA256
import Foundation
import Crypto
import TestSupport
import Testing
@testable import VigilLog

/// The chain's SHA-256 (CSHA256) against FIPS 180-4's examples and against swift-crypto, with the CPU's SHA
/// instructions and with the portable code.
@Suite struct ChainHasherTests {
    @Test func fipsExamples() {
        let cases = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ]
        for hardware in [false, true] {
            for (text, expected) in cases {
                #expect(cHex(Array(text.utf8), hardware: hardware, cut: 0) == expected, "hardware \(hardware)")
            }
        }
    }

    /// Every length from 0 to 300 bytes (padding crosses a block at 56 mod 64), split in two updates at each
    /// length's every cut for short ones and at pseudo-random cuts after.
    @Test func agreesWithSwiftCryptoOnEveryLength() {
        var rng = SplitMix64(seed: 7)
        for hardware in [false, true] {
            for n in 0...300 {
                let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let expected = referenceSHA256Hex(bytes)
                let cuts = n <= 70 ? Array(0...n) : [0, n, Int(rng.next() % UInt64(n + 1))]
                for cut in cuts {
                    #expect(cHex(bytes, hardware: hardware, cut: cut) == expected, "n \(n) cut \(cut) hardware \(hardware)")
                }
            }
        }
    }

    @Test func chainHasherWritesHex() {
        let line = Array(#"{"seq":1,"prev":"00"}"#.utf8)
        var hasher = ChainHasher()
        line.withUnsafeBytes { hasher.update($0) }
        #expect(finishedHex(hasher) == referenceSHA256Hex(line))
        #expect(String(decoding: line.withUnsafeBytes { AuditChain.hash($0) }, as: UTF8.self) == referenceSHA256Hex(line))
    }

    @Test func reportsTheCPUsSHAInstructions() {
        // Whatever the CPU, a context starts with the choice the library reports.
        var context = vigil_sha256()
        vigil_sha256_init(&context)
        #expect(context.hardware == vigil_sha256_hardware())
    }

    private func cHex(_ bytes: [UInt8], hardware: Bool, cut: Int) -> String {
        var context = vigil_sha256()
        vigil_sha256_init(&context)
        if !hardware { context.hardware = 0 }
        bytes.withUnsafeBytes { raw in
            vigil_sha256_update(&context, raw.baseAddress, cut)
            vigil_sha256_update(&context, raw.baseAddress.map { $0 + cut }, bytes.count - cut)
        }
        var digest = [UInt8](repeating: 0, count: 32)
        vigil_sha256_final(&context, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// The SHA-256 of `bytes` in hex, by swift-crypto: the reference the chain's own hashing is checked against.
func referenceSHA256Hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
}

/// A chain hasher's hash in hex.
func finishedHex(_ hasher: ChainHasher) -> String {
    var hex = [UInt8](repeating: 0, count: 64)
    hex.withUnsafeMutableBufferPointer { hasher.finish(hexInto: $0) }
    return String(decoding: hex, as: UTF8.self)
}
