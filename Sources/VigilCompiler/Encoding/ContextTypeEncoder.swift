import VigilSchema

/// Writes a schema type as a `ctx_types` descriptor (docs/INDEX_FORMAT.md, "ctx_types"), which the evaluator
/// follows to parse a request's context JSON as Cedar's schema-directed parser does.
enum ContextTypeEncoder {
    /// `enum vigil_type_tag`.
    enum Tag: UInt8 {
        case bool = 1, long, string, entity, set, record, ipaddr, decimal, datetime, duration
    }

    /// The descriptor of `type`, interning entity type and attribute names.
    /// - Throws: `EncodingError.tooDeep` past `ValueEncoder.maxDepth` levels of sets and records.
    static func encode(_ type: SchemaType, _ interner: inout Interner) throws(EncodingError) -> [UInt8] {
        var w = ByteWriter()
        try write(type, into: &w, &interner, depth: 1)
        return w.bytes
    }

    private static func write(
        _ type: SchemaType, into w: inout ByteWriter, _ interner: inout Interner, depth: Int
    ) throws(EncodingError) {
        switch type {
        case .bool: w.u8(Tag.bool.rawValue)
        case .long: w.u8(Tag.long.rawValue)
        case .string: w.u8(Tag.string.rawValue)
        case .entity(let name):
            w.u8(Tag.entity.rawValue)
            w.u32(interner.name(name.description))
        case .set(let element):
            guard depth <= ValueEncoder.maxDepth else { throw .tooDeep }
            w.u8(Tag.set.rawValue)
            try write(element, into: &w, &interner, depth: depth + 1)
        case .record(let record):
            guard depth <= ValueEncoder.maxDepth else { throw .tooDeep }
            // Interned in byte order, so new names get the same ids on every run.
            let fields = record.attributes.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { (interner.name($0.key), $0.value) }.sorted { $0.0 < $1.0 }
            w.u8(Tag.record.rawValue)
            w.u32(UInt32(clamping: fields.count))
            for (id, attribute) in fields {
                w.u32(id)
                w.u8(attribute.isRequired ? 1 : 0)
                try write(attribute.type, into: &w, &interner, depth: depth + 1)
            }
        case .extension(let name):
            let tag: Tag = switch name {
            case "ipaddr": .ipaddr
            case "decimal": .decimal
            case "datetime": .datetime
            // INVARIANT: the schema resolver admits only the four extension types.
            default: .duration
            }
            w.u8(tag.rawValue)
        }
    }
}
