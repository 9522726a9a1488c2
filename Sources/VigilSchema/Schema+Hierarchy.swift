import VigilPolicy

// Lookups and the transitive `in` hierarchy of entity types and actions, for the validator and the entity loader.
// Each closure is computed on demand by a breadth-first walk, O(size of the hierarchy) per call; callers that ask
// many times should keep the answers.
extension Schema {
    /// The declaration of entity type `name`, or `nil` when the schema does not declare it. Action types
    /// (`Action`, `NS::Action`) are not entity type declarations.
    public func entityType(_ name: Name) -> EntityTypeDefinition? { entityTypes[name] }

    /// The declaration of action `uid`, or `nil` when the schema does not declare it.
    public func action(_ uid: EntityUID) -> ActionDefinition? { actions[uid] }

    /// The action entity types in use: the type of every declared action (`Action`, `NS::Action`).
    public var actionEntityTypes: Set<Name> { Set(actions.keys.map(\.type)) }

    /// The entity types an entity of type `name` may be in, directly or transitively (its `memberOfTypes`, their
    /// `memberOfTypes`, …). Excludes `name` itself unless the hierarchy has a cycle through it, which Cedar
    /// allows for entity types.
    public func entityTypeAncestors(of name: Name) -> Set<Name> {
        Self.closure(from: name) { entityTypes[$0]?.memberOfTypes ?? [] }
    }

    /// The entity types whose entities may be in an entity of type `name`, directly or transitively: the types
    /// `T` for which `entityTypeAncestors(of: T)` contains `name`.
    public func entityTypeDescendants(of name: Name) -> Set<Name> {
        var children: [Name: [Name]] = [:]
        for (child, definition) in entityTypes {
            for parent in definition.memberOfTypes { children[parent, default: []].append(child) }
        }
        return Self.closure(from: name) { children[$0] ?? [] }
    }

    /// The action groups `uid` belongs to, directly or transitively (never `uid` itself: the action hierarchy
    /// is acyclic). Empty for an action the schema does not declare.
    public func actionAncestors(of uid: EntityUID) -> Set<EntityUID> {
        Self.closure(from: uid) { actions[$0]?.memberOf ?? [] }
    }

    /// The actions that belong to group `uid`, directly or transitively (never `uid` itself).
    public func actionDescendants(of uid: EntityUID) -> Set<EntityUID> {
        var children: [EntityUID: [EntityUID]] = [:]
        for (child, definition) in actions {
            for parent in definition.memberOf { children[parent, default: []].append(child) }
        }
        return Self.closure(from: uid) { children[$0] ?? [] }
    }

    /// Everything reachable from `start` by one or more `next` steps, iteratively so depth costs no stack.
    private static func closure<Node: Hashable, Next: Sequence<Node>>(from start: Node, next: (Node) -> Next) -> Set<Node> {
        var seen: Set<Node> = []
        var work = Array(next(start))
        while let n = work.popLast() {
            if seen.insert(n).inserted { work.append(contentsOf: next(n)) }
        }
        return seen
    }
}
