import CVigil

/// Formats ring records straight from the ring's bytes into the audit trail's JSON: the drain path's formatter.
/// It writes exactly the bytes `DecisionRecord(record, …).appendFields(to:)` writes (the reference, tested
/// against it), without decoding the record into Strings and arrays first: no allocation per record.
struct RingRecordFormatter {
    /// The second of the last timestamp written, and its text up to the fraction (`"2026-11-23T02:11:33.`):
    /// records drained together mostly share their second, so the calendar arithmetic runs once a second.
    private var second = Int64.min
    private var secondText: [UInt8] = []

    /// Where the text fields lie in a `vigil_ring_record`: `offsets[f]` and `sizes[f]` for field `f`
    /// (`VIGIL_RING_F_*`), and the `rr_len` bytes.
    private struct Layout {
        let offsets: (Int, Int, Int, Int, Int, Int, Int)
        let sizes: (Int, Int, Int, Int, Int, Int, Int)
        let lengths = MemoryLayout<vigil_ring_record>.offset(of: \.rr_len)!
        let determining = MemoryLayout<vigil_ring_record>.offset(of: \.rr_determining)!

        init() {
            func at<T>(_ key: KeyPath<vigil_ring_record, T>) -> Int { MemoryLayout<vigil_ring_record>.offset(of: key)! }
            func size<T>(_ key: KeyPath<vigil_ring_record, T>) -> Int { MemoryLayout<T>.size }
            offsets = (at(\.rr_principal_type), at(\.rr_principal_id), at(\.rr_action_type), at(\.rr_action_id),
                       at(\.rr_resource_type), at(\.rr_resource_id), at(\.rr_session))
            sizes = (size(\.rr_principal_type), size(\.rr_principal_id), size(\.rr_action_type),
                     size(\.rr_action_id), size(\.rr_resource_type), size(\.rr_resource_id), size(\.rr_session))
        }

        /// Text field `field` of `record`: its bytes, the length capped to the field.
        func text(_ record: UnsafeRawPointer, _ field: Int32) -> UnsafeRawBufferPointer {
            let (offset, size) = switch field {
            case VIGIL_RING_F_PRINCIPAL_TYPE: (offsets.0, sizes.0)
            case VIGIL_RING_F_PRINCIPAL_ID: (offsets.1, sizes.1)
            case VIGIL_RING_F_ACTION_TYPE: (offsets.2, sizes.2)
            case VIGIL_RING_F_ACTION_ID: (offsets.3, sizes.3)
            case VIGIL_RING_F_RESOURCE_TYPE: (offsets.4, sizes.4)
            case VIGIL_RING_F_RESOURCE_ID: (offsets.5, sizes.5)
            default: (offsets.6, sizes.6)
            }
            let length = min(Int(record.load(fromByteOffset: lengths &+ Int(field), as: UInt8.self)), size)
            return UnsafeRawBufferPointer(start: record + offset, count: length)
        }
    }

    private let layout = Layout()

    /// Writes the fields of a record's line (without the braces), as `DecisionRecord.appendFields` does.
    /// - Parameters:
    ///   - record: a record copied out of a ring (its values are not trusted: lengths are capped, unknown enum
    ///     values read as the decoding maps them).
    ///   - ring: the ring's name, already a JSON string (quotes included).
    mutating func appendFields(_ record: UnsafePointer<vigil_ring_record>, ring: UnsafeRawBufferPointer,
                               position: UInt64, to out: inout JSONBytes) {
        let r = record.pointee
        let raw = UnsafeRawPointer(record)
        out.raw("\"time\":")
        timestamp(r.rr_time_ns, to: &out)
        out.raw(",\"ring\":")
        out.bytes(ring)
        out.raw(",\"pos\":")
        out.unsigned(position)
        out.raw(",\"gen\":")
        out.unsigned(r.rr_generation)
        let kind = DecisionRecord.Kind(ring: r.rr_kind)
        if kind != .decide {
            out.quoted(",\"kind\":\"", kind.json)
        }
        out.raw(",\"principal\":")
        entity(raw, VIGIL_RING_F_PRINCIPAL_TYPE, r.rr_truncated, to: &out)
        out.raw(",\"action\":")
        entity(raw, VIGIL_RING_F_ACTION_TYPE, r.rr_truncated, to: &out)
        out.raw(",\"resource\":")
        entity(raw, VIGIL_RING_F_RESOURCE_TYPE, r.rr_truncated, to: &out)
        let session = layout.text(raw, VIGIL_RING_F_SESSION)
        if session.count > 0 {
            out.raw(",\"session\":")
            out.text(session)
            if r.rr_truncated & (1 << UInt32(VIGIL_RING_F_SESSION)) != 0 { out.raw(",\"session_truncated\":true") }
        }
        let effect = DecisionRecord.Effect(ring: r.rr_effect)
        out.quoted(",\"effect\":\"", effect.json)
        let reason = DecisionRecord.Reason(ring: r.rr_reason)
        if reason != .policies {
            out.quoted(",\"reason\":\"", reason.json)
        }
        out.raw(",\"determining\":[")
        let listed = Int(min(r.rr_determining_count, UInt32(VIGIL_RING_POLICIES)))
        for i in 0..<listed {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.unsigned(UInt64(raw.load(fromByteOffset: layout.determining &+ 4 &* i, as: UInt32.self)))
        }
        out.byte(UInt8(ascii: "]"))
        if r.rr_determining_count > UInt32(listed) {
            out.raw(",\"determining_count\":")
            out.unsigned(UInt64(r.rr_determining_count))
        }
        if r.rr_error_count > 0 {
            out.raw(",\"errors\":")
            out.unsigned(UInt64(r.rr_error_count))
        }
        if effect == .stepUp {
            out.raw(",\"step_up\":{\"level\":")
            out.unsigned(UInt64(r.rr_step_up_level))
            if r.rr_max_age != UInt32.max {
                out.raw(",\"max_age\":")
                out.unsigned(UInt64(r.rr_max_age))
            }
            out.byte(UInt8(ascii: "}"))
        }
        if kind == .batch {
            out.raw(",\"batch_index\":")
            out.unsigned(UInt64(r.rr_batch_index))
        }
        out.raw(",\"eval_ns\":")
        out.unsigned(r.rr_eval_ns)
        if r.rr_status != 0 {
            out.raw(",\"status\":")
            out.signed(Int64(r.rr_status))
        }
    }

    /// `{"type":…,"id":…}` plus `truncated` when cut; `typeField` is the type's text field, the id's is the next
    /// one.
    private func entity(_ record: UnsafeRawPointer, _ typeField: Int32, _ truncated: UInt32, to out: inout JSONBytes) {
        out.raw("{\"type\":")
        out.text(layout.text(record, typeField))
        out.raw(",\"id\":")
        out.text(layout.text(record, typeField + 1))
        if truncated & (3 << UInt32(typeField)) != 0 { out.raw(",\"truncated\":true") }
        out.byte(UInt8(ascii: "}"))
    }

    /// `JSONBytes.timestamp`, the part before the fraction remembered per second.
    private mutating func timestamp(_ ns: Int64, to out: inout JSONBytes) {
        let (q, r) = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
        let (s, nanos) = r < 0 ? (q - 1, r + 1_000_000_000) : (q, r)
        guard s == second else {
            let start = out.count
            out.timestamp(ns)
            // The text before the 9 fraction digits and `Z"`.
            secondText = Array(UnsafeRawBufferPointer(rebasing: out.buffer[start..<(out.count - 11)]))
            second = s
            return
        }
        secondText.withUnsafeBytes { out.bytes($0) }
        out.padded(nanos, 9)
        out.raw("Z\"")
    }
}

// The ring's enum bytes as the decoding maps them: anything unknown reads as deny, error and decide.
extension DecisionRecord.Effect {
    init(ring value: UInt8) {
        self = switch Int32(value) {
        case VIGIL_ALLOW: .allow
        case VIGIL_STEP_UP: .stepUp
        default: .deny
        }
    }
}

extension DecisionRecord.Reason {
    init(ring value: UInt8) {
        self = switch Int32(value) {
        case VIGIL_REASON_POLICIES: .policies
        case VIGIL_REASON_SESSION_REVOKED: .sessionRevoked
        case VIGIL_REASON_SESSION_EXPIRED: .sessionExpired
        case VIGIL_REASON_SESSION_UNKNOWN: .sessionUnknown
        default: .error
        }
    }
}

extension DecisionRecord.Kind {
    init(ring value: UInt8) {
        self = switch Int32(value) {
        case VIGIL_RING_KIND_BATCH: .batch
        case VIGIL_RING_KIND_EXPLAIN: .explain
        default: .decide
        }
    }
}
