/// Builders of the fixed-layout records of vigil_format.h: a fixed header written field by field in the C struct's
/// order, followed by the variable parts it points to (offsets are from the start of the record).

/// `vigil_scope`: how a policy constrains the principal or the resource.
public struct ScopeRecord: Hashable, Sendable {
    /// `enum vigil_scope_kind`.
    public enum Kind: UInt32, Sendable { case any = 0, equals, `in`, `is`, isIn }
    public var kind: Kind
    public var eid: UInt32
    public var type: UInt32

    public init(kind: Kind, eid: UInt32 = 0, type: UInt32 = 0) {
        self.kind = kind
        self.eid = eid
        self.type = type
    }

    static let any = ScopeRecord(kind: .any)

    func write(_ w: inout ByteWriter) {
        w.u32(kind.rawValue)
        w.u32(eid)
        w.u32(type)
    }
}

/// `vigil_entity_rec` and its data.
struct EntityRecord {
    static let headerSize = 32
    static let present: UInt32 = 0x1
    static let action: UInt32 = 0x2

    var type: UInt32
    var flags: UInt32
    var id: [UInt8]
    var ancestors: [UInt32]
    /// An encoded Record value, or `nil` when the entity is not present.
    var attributes: [UInt8]?
    /// An encoded Record value keyed by tag name ids, or `nil` when it has no tags.
    var tags: [UInt8]?

    func bytes() -> [UInt8] {
        var w = ByteWriter()
        let idOff = Self.headerSize
        let ancOff = idOff + id.count
        let attrsOff = ancOff + 4 * ancestors.count
        let tagsOff = attrsOff + (attributes?.count ?? 0)
        w.u32(type)
        w.u32(flags)
        w.u32(UInt32(clamping: idOff))
        w.u32(UInt32(clamping: id.count))
        w.u32(UInt32(clamping: ancOff))
        w.u32(UInt32(clamping: ancestors.count))
        w.u32(attributes == nil ? 0 : UInt32(clamping: attrsOff))
        w.u32(tags == nil ? 0 : UInt32(clamping: tagsOff))
        w.append(id)
        for a in ancestors { w.u32(a) }
        if let attributes { w.append(attributes) }
        if let tags { w.append(tags) }
        return w.bytes
    }
}

/// `vigil_policy_rec` and its data.
struct PolicyRecord {
    static let headerSize = 96
    static let forbid: UInt32 = 0x1
    static let linked: UInt32 = 0x2
    static let stepUp: UInt32 = 0x4
    static let hasAnnotatedID: UInt32 = 0x8
    static let noMaxAge: UInt32 = 0xFFFF_FFFF

    var flags: UInt32
    var stepUpLevel: UInt32
    var maxAge: UInt32
    var expiresMs: Int64
    var principal: ScopeRecord
    var resource: ScopeRecord
    var id: [UInt8]
    var annotatedID: [UInt8]
    var program: Program
    var fileName: [UInt8]

    func bytes() -> [UInt8] {
        // Layout after the header: id, @id, code, constant offsets, constants, spans, file name.
        let idOff = Self.headerSize
        let annotOff = idOff + id.count
        let codeOff = annotOff + annotatedID.count
        let constTableOff = codeOff + program.code.count
        var constOffsets: [Int] = []
        var next = constTableOff + 4 * program.constants.count
        for c in program.constants {
            constOffsets.append(next)
            next += c.count
        }
        let spanOff = next
        let fileOff = spanOff + 12 * program.spans.count

        var w = ByteWriter()
        w.u32(flags)
        w.u32(stepUpLevel)
        w.u32(maxAge)
        w.u32(0)  // pr_reserved
        w.i64(expiresMs)
        principal.write(&w)
        resource.write(&w)
        for (off, len) in [(idOff, id.count), (annotOff, annotatedID.count), (codeOff, program.code.count),
                           (constTableOff, program.constants.count), (spanOff, program.spans.count),
                           (fileOff, fileName.count)] {
            w.u32(UInt32(clamping: off))
            w.u32(UInt32(clamping: len))
        }
        w.append(id)
        w.append(annotatedID)
        w.append(program.code)
        for o in constOffsets { w.u32(UInt32(clamping: o)) }
        for c in program.constants { w.append(c) }
        for s in program.spans {
            w.u32(s.pc)
            w.u32(s.line)
            w.u32(s.column)
        }
        w.append(fileName)
        return w.bytes
    }
}

/// `vigil_session_rec`.
struct SessionRecord {
    static let size = 16
    static let revoked: UInt32 = 0x1

    var eid: UInt32
    var flags: UInt32
    var expiresMs: Int64

    func bytes() -> [UInt8] {
        var w = ByteWriter()
        w.u32(eid)
        w.u32(flags)
        w.i64(expiresMs)
        return w.bytes
    }
}

/// `vigil_header`, the value of `meta`/`header`.
struct HeaderRecord {
    static let size = 64
    static let magic: [UInt8] = Array("VIGILIX".utf8) + [1]
    static let version: UInt32 = 2
    static let endianMark: UInt32 = 0x0102_0304

    var generation: UInt64
    var publishedMs: Int64
    var entityCount: UInt32
    var policyCount: UInt32
    var nameCount: UInt32

    func bytes() -> [UInt8] {
        var w = ByteWriter()
        w.append(Self.magic)
        w.u32(Self.version)
        w.u32(Self.endianMark)
        w.i64(Int64(bitPattern: generation))
        w.i64(publishedMs)
        w.u32(entityCount)
        w.u32(policyCount)
        w.u32(nameCount)
        w.u32(0)  // vh_flags
        w.append([UInt8](repeating: 0, count: 16))
        return w.bytes
    }

    /// Whether a header value is one this writer writes: its magic and its format version.
    static func isCurrent(_ bytes: [UInt8]) -> Bool {
        bytes.count == size && Array(bytes[0..<8]) == magic && RecordReader.u32(bytes, 8) == version
    }

    /// The generation stored in a header value, or `nil` when the bytes are not a Vigil header. Every format
    /// version keeps it in the same place, so a publish over an older index continues its count.
    static func generation(of bytes: [UInt8]) -> UInt64? {
        guard bytes.count == size, Array(bytes[0..<8]) == magic else { return nil }
        var g: UInt64 = 0
        for i in 0..<8 { g |= UInt64(bytes[16 + i]) << UInt64(8 * i) }
        return g
    }
}
