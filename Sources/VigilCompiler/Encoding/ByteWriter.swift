/// An append-only byte buffer with little-endian integer appends, for index records and encoded values.
struct ByteWriter: Sendable {
    private(set) var bytes: [UInt8] = []

    init() {}

    /// The number of bytes written so far: the offset the next append lands at.
    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ v: Int64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append<C: Collection>(_ raw: C) where C.Element == UInt8 { bytes.append(contentsOf: raw) }

    /// Overwrites the u32 at `offset`, written earlier as a placeholder (a length or an offset known later).
    mutating func patchU32(at offset: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for (i, b) in raw.enumerated() { bytes[offset + i] = b }
        }
    }
}

/// The four little-endian bytes of `v`: a key or a whole value in the index.
func littleEndianBytes(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
