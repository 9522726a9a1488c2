import VigilData
import VigilPolicy

/// One incremental change to a published index, applied by `IndexWriter.apply(_:)` without recompiling the
/// policy set.
public enum IndexChange: Sendable {
    /// Adds an entity or replaces its attributes, tags and parents. Changing the parents of an entity that has
    /// descendants needs a full publish (the index keeps only the closure).
    case upsertEntity(Entity)
    /// Removes an entity's data: it stays known (policies may name it) but is no longer present.
    case deleteEntity(EntityUID)
    /// Sets one attribute of a present entity.
    case setAttribute(EntityUID, name: String, value: Value)
    /// Creates or replaces a session.
    case upsertSession(Session)
    /// Marks a session revoked: requests naming it are denied before any policy runs.
    case revokeSession(id: String)
    /// Forgets a session: requests naming it are denied as unknown.
    case deleteSession(id: String)
    /// Adds a template link (a grant) as a new policy numbered after the others: `template` (read from `file`)
    /// with `link`'s slot values, never honoured from `expiresAtMs` on.
    case addLink(template: Policy, file: SourceFile, link: TemplateLink, expiresAtMs: Int64?)
    /// Removes a template link: its number stays (numbers are dense) but it is expired and in no action's list.
    case removeLink(id: String)
}
