import CVigil

/// One decision as libvigil logged it to a process's ring (`vigil_ring_record`, docs/DECISION_LOG.md), with where
/// it came from. Texts are the host's request strings, cut to the ring's field widths (flagged when cut).
public struct DecisionRecord: Sendable, Hashable {
    /// The decision.
    public enum Effect: String, Sendable, Hashable {
        case allow, deny, stepUp = "step_up"
    }

    /// Why the decision came out as it did (`VIGIL_REASON_*`).
    public enum Reason: String, Sendable, Hashable {
        case policies, sessionRevoked = "session_revoked", sessionExpired = "session_expired"
        case sessionUnknown = "session_unknown", error
    }

    /// Which call of vigil.h made the decision.
    public enum Kind: String, Sendable, Hashable {
        case decide, batch, explain
    }

    /// A request entity: the host's type and id text, and its number in the index when the index knew it.
    public struct Entity: Sendable, Hashable {
        public var type: String
        public var id: String
        /// The entity's number (eid) in `generation`; nil when the index does not have it.
        public var eid: UInt32?
        /// The type or the id was longer than the ring's field and was cut (at a UTF-8 character boundary).
        public var truncated: Bool

        public init(type: String, id: String, eid: UInt32? = nil, truncated: Bool = false) {
            (self.type, self.id, self.eid, self.truncated) = (type, id, eid, truncated)
        }
    }

    /// The ring file's name: it names the writing process (`vigil-<pid>-<start time>-<created ns>.ring`).
    public var ring: String
    /// The record's position in its ring (0, 1, …): with `ring`, a unique key for de-duplication.
    public var position: UInt64
    /// The writing process's id (in its own pid namespace).
    public var pid: UInt32
    /// When the decision ended, Unix nanoseconds.
    public var timeNs: Int64
    /// The index generation the decision was made at (0 when the index could not be read).
    public var generation: UInt64
    /// How long the decision took, in nanoseconds (for a batch: this pair's share).
    public var evaluationNs: UInt64
    /// What the call returned for this decision: 0 (`VIGIL_OK`) or a negative `VIGIL_E_*`.
    public var status: Int32
    public var kind: Kind
    public var effect: Effect
    public var reason: Reason
    /// For `stepUp`: the required assurance level (1…3); 0 otherwise.
    public var stepUpLevel: UInt8
    /// For `stepUp`: the smallest required max age in seconds, when some policy set one.
    public var maxAge: UInt32?
    /// The first (up to 8) determining policy numbers, ascending; `determiningCount` counts them all.
    public var determining: [UInt32]
    public var determiningCount: UInt32
    /// Policies whose evaluation raised an error.
    public var errorCount: UInt32
    /// The pair's position in a `vigil_decide_batch` call; 0 otherwise.
    public var batchIndex: UInt32
    public var principal: Entity
    public var action: Entity
    public var resource: Entity
    /// The request's session id, when it had one.
    public var sessionID: String?
    public var sessionTruncated: Bool

    /// A record with the given fields; the ring decodes its own.
    public init(
        ring: String, position: UInt64, pid: UInt32, timeNs: Int64, generation: UInt64, evaluationNs: UInt64,
        status: Int32 = 0, kind: Kind = .decide, effect: Effect, reason: Reason = .policies, stepUpLevel: UInt8 = 0,
        maxAge: UInt32? = nil, determining: [UInt32] = [], determiningCount: UInt32? = nil, errorCount: UInt32 = 0,
        batchIndex: UInt32 = 0, principal: Entity, action: Entity, resource: Entity, sessionID: String? = nil,
        sessionTruncated: Bool = false
    ) {
        self.ring = ring
        self.position = position
        self.pid = pid
        self.timeNs = timeNs
        self.generation = generation
        self.evaluationNs = evaluationNs
        self.status = status
        self.kind = kind
        self.effect = effect
        self.reason = reason
        self.stepUpLevel = stepUpLevel
        self.maxAge = maxAge
        self.determining = determining
        self.determiningCount = determiningCount ?? UInt32(determining.count)
        self.errorCount = errorCount
        self.batchIndex = batchIndex
        self.principal = principal
        self.action = action
        self.resource = resource
        self.sessionID = sessionID
        self.sessionTruncated = sessionTruncated
    }

    /// The record as one JSON object on one line (no newline), the audit trail's payload:
    /// `{"time":"2026-01-01T12:00:00.000000123Z","ring":…,"pos":…,"gen":…,`
    /// `"principal":{"type":"User","id":"alice"},"action":{…},"resource":{…},"effect":"allow",`
    /// `"determining":[0,1],"eval_ns":2300}`
    /// plus `kind` (unless `decide`), `session`, `reason` (unless `policies`), `determining_count` (when more
    /// policies determined it than are listed), `errors` (when some policy erred), `step_up`, `batch_index` and
    /// `status` (when not 0) where they apply. Keys always come in this order. What goes without saying is left
    /// out, since the disk pays for every byte of every line: the pid (the ring's name carries it), the entity
    /// numbers (they mean nothing outside their generation), the usual kind and reason, zero counts.
    public func jsonLine() -> String {
        var out = JSONBytes(capacity: 512)
        out.byte(UInt8(ascii: "{"))
        appendFields(to: &out)
        out.byte(UInt8(ascii: "}"))
        return out.text
    }

    /// Writes the fields of `jsonLine()` without the braces.
    func appendFields(to out: inout JSONBytes) {
        out.raw("\"time\":")
        out.timestamp(timeNs)
        out.raw(",\"ring\":")
        out.string(ring)
        out.raw(",\"pos\":")
        out.unsigned(position)
        out.raw(",\"gen\":")
        out.unsigned(generation)
        if kind != .decide {
            out.quoted(",\"kind\":\"", kind.json)
        }
        out.raw(",\"principal\":")
        Self.entity(principal, to: &out)
        out.raw(",\"action\":")
        Self.entity(action, to: &out)
        out.raw(",\"resource\":")
        Self.entity(resource, to: &out)
        if let sessionID {
            out.raw(",\"session\":")
            out.string(sessionID)
            if sessionTruncated { out.raw(",\"session_truncated\":true") }
        }
        out.quoted(",\"effect\":\"", effect.json)
        if reason != .policies {
            out.quoted(",\"reason\":\"", reason.json)
        }
        out.raw(",\"determining\":[")
        var first = true
        for p in determining {
            if !first { out.byte(UInt8(ascii: ",")) }
            out.unsigned(UInt64(p))
            first = false
        }
        out.byte(UInt8(ascii: "]"))
        if determiningCount > UInt32(determining.count) {
            out.raw(",\"determining_count\":")
            out.unsigned(UInt64(determiningCount))
        }
        if errorCount > 0 {
            out.raw(",\"errors\":")
            out.unsigned(UInt64(errorCount))
        }
        if effect == .stepUp {
            out.raw(",\"step_up\":{\"level\":")
            out.unsigned(UInt64(stepUpLevel))
            if let maxAge {
                out.raw(",\"max_age\":")
                out.unsigned(UInt64(maxAge))
            }
            out.byte(UInt8(ascii: "}"))
        }
        if kind == .batch {
            out.raw(",\"batch_index\":")
            out.unsigned(UInt64(batchIndex))
        }
        out.raw(",\"eval_ns\":")
        out.unsigned(evaluationNs)
        if status != 0 {
            out.raw(",\"status\":")
            out.signed(Int64(status))
        }
    }

    private static func entity(_ e: Entity, to out: inout JSONBytes) {
        out.raw("{\"type\":")
        out.string(e.type)
        out.raw(",\"id\":")
        out.string(e.id)
        if e.truncated { out.raw(",\"truncated\":true") }
        out.byte(UInt8(ascii: "}"))
    }
}

// The JSON names of the enums, as static text: the formatter copies them without touching a String.
extension DecisionRecord.Effect {
    var json: StaticString {
        switch self {
        case .allow: "allow"
        case .deny: "deny"
        case .stepUp: "step_up"
        }
    }
}

extension DecisionRecord.Reason {
    var json: StaticString {
        switch self {
        case .policies: "policies"
        case .sessionRevoked: "session_revoked"
        case .sessionExpired: "session_expired"
        case .sessionUnknown: "session_unknown"
        case .error: "error"
        }
    }
}

extension DecisionRecord.Kind {
    var json: StaticString {
        switch self {
        case .decide: "decide"
        case .batch: "batch"
        case .explain: "explain"
        }
    }
}

extension DecisionRecord {
    /// Decodes a record copied out of a ring. Values a damaged ring could hold are mapped, never trapped on:
    /// an unknown effect reads as deny, an unknown reason as error, text lengths are capped to their fields.
    init(_ r: borrowing vigil_ring_record, ring: String, position: UInt64, pid: UInt32) {
        var rec = copy r
        let lengths = withUnsafeBytes(of: &rec.rr_len) { Array($0) }
        let cut = rec.rr_truncated
        func text(_ field: Int32, _ bytes: UnsafeRawBufferPointer) -> String {
            String(decoding: bytes.prefix(Int(lengths[Int(field)])), as: UTF8.self)
        }
        func flagged(_ field: Int32) -> Bool { cut & (1 << UInt32(field)) != 0 }
        func eid(_ e: UInt32) -> UInt32? { e == VIGIL_RING_NO_EID ? nil : e }
        let principal = Entity(
            type: withUnsafeBytes(of: &rec.rr_principal_type) { text(VIGIL_RING_F_PRINCIPAL_TYPE, $0) },
            id: withUnsafeBytes(of: &rec.rr_principal_id) { text(VIGIL_RING_F_PRINCIPAL_ID, $0) },
            eid: eid(rec.rr_principal_eid),
            truncated: flagged(VIGIL_RING_F_PRINCIPAL_TYPE) || flagged(VIGIL_RING_F_PRINCIPAL_ID))
        let action = Entity(
            type: withUnsafeBytes(of: &rec.rr_action_type) { text(VIGIL_RING_F_ACTION_TYPE, $0) },
            id: withUnsafeBytes(of: &rec.rr_action_id) { text(VIGIL_RING_F_ACTION_ID, $0) },
            eid: eid(rec.rr_action_eid),
            truncated: flagged(VIGIL_RING_F_ACTION_TYPE) || flagged(VIGIL_RING_F_ACTION_ID))
        let resource = Entity(
            type: withUnsafeBytes(of: &rec.rr_resource_type) { text(VIGIL_RING_F_RESOURCE_TYPE, $0) },
            id: withUnsafeBytes(of: &rec.rr_resource_id) { text(VIGIL_RING_F_RESOURCE_ID, $0) },
            eid: eid(rec.rr_resource_eid),
            truncated: flagged(VIGIL_RING_F_RESOURCE_TYPE) || flagged(VIGIL_RING_F_RESOURCE_ID))
        let session = lengths[Int(VIGIL_RING_F_SESSION)] == 0 ? nil :
            withUnsafeBytes(of: &rec.rr_session) { text(VIGIL_RING_F_SESSION, $0) }
        let listed = Int(min(rec.rr_determining_count, UInt32(VIGIL_RING_POLICIES)))
        let determining = withUnsafeBytes(of: &rec.rr_determining) { raw in
            (0..<listed).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self) }
        }
        let effect = Effect(ring: rec.rr_effect)
        let reason = Reason(ring: rec.rr_reason)
        let kind = Kind(ring: rec.rr_kind)
        self.init(
            ring: ring, position: position, pid: pid, timeNs: rec.rr_time_ns, generation: rec.rr_generation,
            evaluationNs: rec.rr_eval_ns, status: rec.rr_status, kind: kind, effect: effect, reason: reason,
            stepUpLevel: effect == .stepUp ? rec.rr_step_up_level : 0,
            maxAge: effect == .stepUp && rec.rr_max_age != UInt32.max ? rec.rr_max_age : nil,
            determining: determining, determiningCount: rec.rr_determining_count, errorCount: rec.rr_error_count,
            batchIndex: rec.rr_batch_index, principal: principal, action: action, resource: resource,
            sessionID: session, sessionTruncated: flagged(VIGIL_RING_F_SESSION))
    }
}
