/// Reads back the records and values this module writes, for incremental changes to a published index. Every
/// offset and length is checked: a malformed record gives `nil`, never a trap.
enum RecordReader {
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= b.count else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << UInt32(8 * $1) }
    }

    /// The size of the encoded value starting at `at`, or `nil` when it does not fit in `b`.
    static func valueSize(_ b: [UInt8], at: Int) -> Int? {
        guard at >= 0, at < b.count, let tag = ValueEncoder.Tag(rawValue: b[at]) else { return nil }
        let size: Int?
        switch tag {
        case .bool: size = 2
        case .long, .decimal, .datetime, .duration: size = 9
        case .entity: size = 5
        case .ipaddr: size = 19
        case .string: size = u32(b, at + 1).map { 5 + Int($0) }
        case .set, .record: size = u32(b, at + 5).map { 9 + Int($0) }
        case .pattern: size = u32(b, at + 1).map { 5 + 4 * Int($0) }
        }
        guard let size, at + size <= b.count else { return nil }
        return size
    }

    /// The fields of an encoded Record value: (name id, encoded value) pairs.
    static func recordFields(_ b: [UInt8]) -> [(UInt32, [UInt8])]? {
        guard b.first == ValueEncoder.Tag.record.rawValue, let count = u32(b, 1), valueSize(b, at: 0) == b.count
        else { return nil }
        var out: [(UInt32, [UInt8])] = []
        var at = 9
        for _ in 0..<count {
            guard let id = u32(b, at), let n = valueSize(b, at: at + 4) else { return nil }
            out.append((id, Array(b[(at + 4)..<(at + 4 + n)])))
            at += 4 + n
        }
        return at == b.count ? out : nil
    }

    /// An entity record as `EntityRecord`.
    static func entity(_ b: [UInt8]) -> EntityRecord? {
        guard b.count >= EntityRecord.headerSize, let type = u32(b, 0), let flags = u32(b, 4),
              let idOff = u32(b, 8).map(Int.init), let idLen = u32(b, 12).map(Int.init),
              let ancOff = u32(b, 16).map(Int.init), let ancCount = u32(b, 20).map(Int.init),
              let attrsOff = u32(b, 24).map(Int.init), let tagsOff = u32(b, 28).map(Int.init),
              idOff + idLen <= b.count, ancOff + 4 * ancCount <= b.count
        else { return nil }
        var ancestors: [UInt32] = []
        for i in 0..<ancCount {
            guard let a = u32(b, ancOff + 4 * i) else { return nil }
            ancestors.append(a)
        }
        func value(_ off: Int) -> [UInt8]?? {
            guard off != 0 else { return .some(nil) }
            guard let n = valueSize(b, at: off) else { return nil }
            return .some(Array(b[off..<(off + n)]))
        }
        guard let attributes = value(attrsOff), let tags = value(tagsOff) else { return nil }
        return EntityRecord(type: type, flags: flags, id: Array(b[idOff..<(idOff + idLen)]), ancestors: ancestors,
                            attributes: attributes, tags: tags)
    }
}
