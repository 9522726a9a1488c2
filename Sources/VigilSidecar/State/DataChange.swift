import VigilCompiler
import VigilData
import VigilPolicy

/// One change to the sidecar's data, as the data API accepts it: applied to the in-memory state and to the index
/// in one generation, and journaled so a restart replays it.
public enum DataChange: Sendable {
    /// Adds or replaces entities (one request, or one bulk import).
    case upsertEntities([Entity])
    /// Removes an entity's data.
    case deleteEntity(EntityUID)
    /// Sets one attribute of an entity (a principal's risk, for instance).
    case setAttribute(EntityUID, name: String, value: Value)
    /// Creates or replaces a session, with its entity (the attributes policies read as `context.session`).
    case upsertSession(Session, entity: Entity)
    /// Revokes a session: requests naming it are denied before any policy runs.
    case revokeSession(id: String)
    /// Adds a template link (a grant), never honoured from `expiresAtMs` on.
    case addLink(TemplateLink, expiresAtMs: Int64?)
    /// Removes a template link.
    case removeLink(id: String)

    /// A short description for logs and responses.
    public var summary: String {
        switch self {
        case .upsertEntities(let list): return "upsert \(list.count) entit\(list.count == 1 ? "y" : "ies")"
        case .deleteEntity(let uid): return "delete \(uid)"
        case .setAttribute(let uid, let name, _): return "set \(uid).\(name)"
        case .upsertSession(let s, _): return "session \(s.id)"
        case .revokeSession(let id): return "revoke session \(id)"
        case .addLink(let link, _): return "add link \(link.newID)"
        case .removeLink(let id): return "remove link \(id)"
        }
    }
}

/// A change the state refuses, with a message for the API's 4xx answer and, for input that did not parse or
/// check, each problem located (JSON path, line, column).
public struct DataChangeError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var problems: [PublishStatus.Problem]
    public var description: String { message }
    public init(status: Int = 400, _ message: String, problems: [PublishStatus.Problem] = []) {
        self.status = status
        self.message = message
        self.problems = problems
    }
}
