import VigilPolicy

/// Why a value cannot be written to the index.
public enum EncodingError: Error, Hashable, Sendable {
    /// Sets and records nest deeper than the format allows (IDX-V003).
    case tooDeep
}

/// Writes Cedar values in the index's canonical encoding (docs/INDEX_FORMAT.md, "Values"): two values are equal
/// exactly when their encodings are equal byte for byte.
enum ValueEncoder {
    /// The value tags of `enum vigil_value_tag`.
    enum Tag: UInt8 {
        case bool = 1, long, string, entity, set, record, ipaddr, decimal, datetime, duration, pattern
    }

    /// The deepest nesting of sets and records the format allows (IDX-V003).
    static let maxDepth = 64

    /// The encoding of `value`, interning the names and entities it mentions.
    /// - Throws: `EncodingError.tooDeep` past `maxDepth` levels of sets and records.
    static func encode<I: Interning>(_ value: Value, _ interner: inout I) throws(EncodingError) -> [UInt8] {
        var w = ByteWriter()
        try write(value, into: &w, &interner, depth: 1)
        return w.bytes
    }

    static func write<I: Interning>(
        _ value: Value, into w: inout ByteWriter, _ interner: inout I, depth: Int
    ) throws(EncodingError) {
        switch value {
        case .bool(let b):
            w.u8(Tag.bool.rawValue)
            w.u8(b ? 1 : 0)
        case .long(let v):
            w.u8(Tag.long.rawValue)
            w.i64(v)
        case .string(let s):
            writeString(s, into: &w)
        case .entity(let uid):
            w.u8(Tag.entity.rawValue)
            w.u32(interner.eid(uid))
        case .set(let elements):
            guard depth <= maxDepth else { throw .tooDeep }
            var encoded: [[UInt8]] = []
            encoded.reserveCapacity(elements.count)
            for e in elements {
                var ew = ByteWriter()
                try write(e, into: &ew, &interner, depth: depth + 1)
                encoded.append(ew.bytes)
            }
            writeSet(encoded, into: &w)
        case .record(let fields):
            guard depth <= maxDepth else { throw .tooDeep }
            var pairs: [(UInt32, [UInt8])] = []
            pairs.reserveCapacity(fields.count)
            // Keys in byte order, so new names get the same ids on every run (the index is reproducible).
            for (k, v) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                var fw = ByteWriter()
                try write(v, into: &fw, &interner, depth: depth + 1)
                pairs.append((interner.name(k), fw.bytes))
            }
            writeRecord(pairs, into: &w)
        case .ipaddr(let ip):
            w.u8(Tag.ipaddr.rawValue)
            w.u8(ip.isIPv4 ? 4 : 6)
            w.u8(ip.prefixLength)
            // Network order: IPv4 in the first 4 bytes, IPv6 over all 16.
            let width = ip.isIPv4 ? 4 : 16
            for i in 0..<16 {
                w.u8(i < width ? UInt8(truncatingIfNeeded: ip.address >> UInt128(8 * (width - 1 - i))) : 0)
            }
        case .decimal(let d):
            w.u8(Tag.decimal.rawValue)
            w.i64(d.scaled)
        case .datetime(let d):
            w.u8(Tag.datetime.rawValue)
            w.i64(d.millisecondsSinceEpoch)
        case .duration(let d):
            w.u8(Tag.duration.rawValue)
            w.i64(d.milliseconds)
        }
    }

    static func writeString(_ s: String, into w: inout ByteWriter) {
        let bytes = Array(s.utf8)
        w.u8(Tag.string.rawValue)
        w.u32(UInt32(clamping: bytes.count))
        w.append(bytes)
    }

    /// A set from its elements' encodings: sorted bytewise (a proper prefix first) and unique (IDX-V001).
    static func writeSet(_ elements: [[UInt8]], into w: inout ByteWriter) {
        let sorted = elements.sorted { $0.lexicographicallyPrecedes($1) }
        var unique: [[UInt8]] = []
        unique.reserveCapacity(sorted.count)
        for e in sorted where unique.last != e { unique.append(e) }
        w.u8(Tag.set.rawValue)
        w.u32(UInt32(clamping: unique.count))
        w.u32(UInt32(clamping: unique.reduce(0) { $0 + $1.count }))
        for e in unique { w.append(e) }
    }

    /// A record from (name id, encoded value) pairs: sorted by name id; a repeated id keeps its first value
    /// (IDX-V002).
    static func writeRecord(_ fields: [(UInt32, [UInt8])], into w: inout ByteWriter) {
        var unique: [(UInt32, [UInt8])] = []
        for f in fields.enumerated().sorted(by: { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) })
        where unique.last?.0 != f.element.0 {
            unique.append(f.element)
        }
        w.u8(Tag.record.rawValue)
        w.u32(UInt32(clamping: unique.count))
        w.u32(UInt32(clamping: unique.reduce(0) { $0 + 4 + $1.1.count }))
        for (id, v) in unique {
            w.u32(id)
            w.append(v)
        }
    }

    /// A `like` pattern constant: the code points, with `VIGIL_WILDCARD` for each `*`.
    static func pattern(_ elements: [PatternElement]) -> [UInt8] {
        var w = ByteWriter()
        w.u8(Tag.pattern.rawValue)
        w.u32(UInt32(clamping: elements.count))
        for e in elements {
            switch e {
            case .char(let c): w.u32(c.value)
            case .wildcard: w.u32(0xFFFF_FFFF)
            }
        }
        return w.bytes
    }
}
