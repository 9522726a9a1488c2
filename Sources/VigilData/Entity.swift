import VigilPolicy

/// One entity: its uid, attributes, direct parents and tags, as read from entities JSON.
public struct Entity: Hashable, Sendable {
    public var uid: EntityUID
    public var attributes: [String: Value]
    /// The direct parents as written. `EntityStore.ancestors(of:)` gives the transitive closure.
    public var parents: Set<EntityUID>
    public var tags: [String: Value]

    public init(
        uid: EntityUID, attributes: [String: Value] = [:], parents: Set<EntityUID> = [], tags: [String: Value] = [:]
    ) {
        self.uid = uid
        self.attributes = attributes
        self.parents = parents
        self.tags = tags
    }
}

/// A set of entities keyed by uid, with the ancestor relation available transitively.
///
/// Parents may name entities that are not in the store: Cedar allows it, and such a parent simply has no
/// ancestors of its own.
public struct EntityStore: Sendable {
    /// Every entity by uid.
    public private(set) var entities: [EntityUID: Entity]

    /// Builds a store; when two entities share a uid, the later one wins (`EntityJSON.parse` has already refused
    /// conflicting duplicates).
    public init(_ entities: [Entity]) {
        var map: [EntityUID: Entity] = [:]
        map.reserveCapacity(entities.count)
        for e in entities { map[e.uid] = e }
        self.entities = map
    }

    /// The entity with this uid, if present.
    public subscript(uid: EntityUID) -> Entity? { entities[uid] }

    /// Every ancestor of `uid`: its parents, their parents, and so on (not `uid` itself, unless the hierarchy has
    /// a cycle, which `EntityJSON.parse` refuses). Iterative, so deep hierarchies cannot exhaust the stack.
    public func ancestors(of uid: EntityUID) -> Set<EntityUID> {
        var seen: Set<EntityUID> = []
        var stack = Array(entities[uid]?.parents ?? [])
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: entities[next]?.parents ?? [])
        }
        return seen
    }
}
