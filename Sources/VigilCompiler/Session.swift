import VigilPolicy

/// An authenticated session the index knows (the `sessions` database): requests naming it see its entity as
/// `context.session`, and a revoked or expired session denies before any policy runs.
public struct Session: Hashable, Sendable {
    /// The id hosts pass with a request.
    public var id: String
    /// The session entity, whose attributes (assurance level, methods, …) policies read.
    public var entity: EntityUID
    public var revoked: Bool
    /// Unix ms from which the session is expired; `nil` for never.
    public var expiresAtMs: Int64?

    public init(id: String, entity: EntityUID, revoked: Bool = false, expiresAtMs: Int64? = nil) {
        self.id = id
        self.entity = entity
        self.revoked = revoked
        self.expiresAtMs = expiresAtMs
    }
}
