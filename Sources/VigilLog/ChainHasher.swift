import CSHA256

/// SHA-256 for the trail's chain, over CSHA256: a plain value (no heap context per hash, unlike swift-crypto's
/// `SHA256`), using the CPU's SHA instructions when it has them. A copy continues independently.
struct ChainHasher {
    private var context = vigil_sha256()

    init() { vigil_sha256_init(&context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        vigil_sha256_update(&context, bytes.baseAddress, bytes.count)
    }

    mutating func update(byte: UInt8) {
        var byte = byte
        vigil_sha256_update(&context, &byte, 1)
    }

    /// Finishes the hash and writes it in hex into the 64 bytes of `out`.
    consuming func finish(hexInto out: UnsafeMutableBufferPointer<UInt8>) {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digest) { raw in
            vigil_sha256_final(&context, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            JSONBytes.hex(UnsafeRawBufferPointer(raw), into: out)
        }
    }
}
