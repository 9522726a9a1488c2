import VigilPolicy

/// One authorization request for `Authorizer`.
public struct Request: Sendable {
    public var principal: EntityUID
    public var action: EntityUID
    public var resource: EntityUID
    /// The context as Cedar JSON text (an object); `nil` for `{}`.
    public var contextJSON: String?
    /// The session id, when the request has one.
    public var sessionID: String?
    /// The decision time (Unix ms) for expiry checks; `nil` for the system clock.
    public var nowMs: Int64?

    /// A request whose context is JSON text.
    public init(
        principal: EntityUID, action: EntityUID, resource: EntityUID, contextJSON: String? = nil,
        sessionID: String? = nil, nowMs: Int64? = nil
    ) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.contextJSON = contextJSON
        self.sessionID = sessionID
        self.nowMs = nowMs
    }

    /// A request whose context is a value (a `.record`), such as one `ContextJSON` parsed with a schema.
    public init(
        principal: EntityUID, action: EntityUID, resource: EntityUID, context: Value, sessionID: String? = nil,
        nowMs: Int64? = nil
    ) {
        self.init(principal: principal, action: action, resource: resource, contextJSON: CedarJSON.encode(context),
                  sessionID: sessionID, nowMs: nowMs)
    }
}

/// The outcome of one decision made by the C evaluator.
public struct Decision: Hashable, Sendable {
    public enum Effect: String, Hashable, Sendable {
        case allow
        case deny
        /// Some permit holds and every satisfied forbid carries `@step_up`: allowed after stronger authentication.
        case stepUp = "step_up"
    }

    /// Why the decision came out as it did (`VIGIL_REASON_*`).
    public enum Cause: Hashable, Sendable {
        case policies
        case sessionRevoked
        case sessionExpired
        case sessionUnknown
        case error
    }

    /// A policy whose evaluation raised an error.
    public struct PolicyError: Hashable, Sendable {
        /// Its positional id (`policy3`) or link id.
        public var policyID: String
        /// A one-line message with the policy's source location.
        public var message: String
    }

    public var effect: Effect
    public var cause: Cause
    /// The determining policies' positional ids (or link ids), ascending by policy number.
    public var reasons: [String]
    /// The `@id` of each determining policy, in the same order; `nil` where a policy has none.
    public var annotatedReasons: [String?]
    public var errors: [PolicyError]
    /// How many policies determined the effect and how many raised errors: more than `reasons` and `errors` list
    /// when a result has more than `VIGIL_RESULT_MAX_POLICIES` (64) of either.
    public var reasonCount: Int
    public var errorCount: Int
    /// For `.stepUp`: the highest assurance level required (1…3).
    public var stepUpLevel: UInt32?
    /// For `.stepUp`: the smallest max age in seconds, when some policy sets one.
    public var maxAge: UInt32?
    /// The index generation the decision was made at.
    public var generation: UInt64
}
