import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema

/// Everything the sidecar publishes besides the policies: entities, sessions and template links. The index is
/// compiled from this and the policy set; incremental changes update both.
public struct DataState: Sendable, Equatable {
    /// A template link and its expiry.
    public struct Grant: Sendable, Equatable {
        public var link: TemplateLink
        public var expiresAtMs: Int64?
    }

    public private(set) var entities: [EntityUID: Entity] = [:]
    public private(set) var sessions: [String: Session] = [:]
    /// Links in the order they were added (their policy numbers follow the static policies in this order).
    public private(set) var grants: [Grant] = []

    public init(entities: [Entity] = []) {
        for e in entities { self.entities[e.uid] = e }
    }

    /// The inputs of a full compile.
    public func compiler(policies: PolicySet, schema: Schema?) -> Compiler {
        Compiler(
            policies: policies, links: grants.map(\.link),
            linkExpiries: Dictionary(grants.compactMap { g in g.expiresAtMs.map { (g.link.newID, $0) } },
                                     uniquingKeysWith: { a, _ in a }),
            entities: entities.values.sorted { $0.uid < $1.uid }, schema: schema,
            sessions: sessions.values.sorted { $0.id < $1.id })
    }

    /// Checks `change` against the state and the policy set and returns the index changes that apply it.
    /// - Throws: `DataChangeError` (404 for something that does not exist, 409 for a clash, 400 otherwise).
    public func indexChanges(for change: DataChange, policies: PolicySet) throws(DataChangeError) -> [IndexChange] {
        switch change {
        case .upsertEntities(let list):
            for e in list where e.uid.isAction {
                throw DataChangeError("`\(e.uid)` is an action: actions come from the schema and the policies")
            }
            return list.map { .upsertEntity($0) }
        case .deleteEntity(let uid):
            guard entities[uid] != nil else { throw DataChangeError(status: 404, "no entity `\(uid)`") }
            return [.deleteEntity(uid)]
        case .setAttribute(let uid, let name, let value):
            guard entities[uid] != nil else { throw DataChangeError(status: 404, "no entity `\(uid)`") }
            return [.setAttribute(uid, name: name, value: value)]
        case .upsertSession(let session, let entity):
            return [.upsertEntity(entity), .upsertSession(session)]
        case .revokeSession(let id):
            guard sessions[id] != nil else { throw DataChangeError(status: 404, "no session `\(id)`") }
            return [.revokeSession(id: id)]
        case .addLink(let link, let expiresAtMs):
            guard !grants.contains(where: { $0.link.newID == link.newID }),
                  !policies.entries.contains(where: { $0.positionalID == link.newID })
            else { throw DataChangeError(status: 409, "policy id `\(link.newID)` is taken") }
            // As the compiler resolves it: a positional id first, then an `@id`.
            let templates = policies.entries.filter(\.policy.isTemplate)
            guard let template = templates.first(where: { $0.positionalID == link.templateID })
                ?? templates.first(where: { $0.annotatedID == link.templateID })
            else { throw DataChangeError(status: 404, "no template `\(link.templateID)`") }
            return [.addLink(template: template.policy, file: template.file, link: link, expiresAtMs: expiresAtMs)]
        case .removeLink(let id):
            guard grants.contains(where: { $0.link.newID == id }) else {
                throw DataChangeError(status: 404, "no link `\(id)`")
            }
            return [.removeLink(id: id)]
        }
    }

    /// Applies a change already accepted by `indexChanges(for:policies:)`.
    public mutating func apply(_ change: DataChange) {
        switch change {
        case .upsertEntities(let list):
            for e in list { entities[e.uid] = e }
        case .deleteEntity(let uid):
            entities[uid] = nil
        case .setAttribute(let uid, let name, let value):
            entities[uid]?.attributes[name] = value
        case .upsertSession(let session, let entity):
            entities[entity.uid] = entity
            sessions[session.id] = session
        case .revokeSession(let id):
            sessions[id]?.revoked = true
        case .addLink(let link, let expiresAtMs):
            grants.append(Grant(link: link, expiresAtMs: expiresAtMs))
        case .removeLink(let id):
            grants.removeAll { $0.link.newID == id }
        }
    }
}
