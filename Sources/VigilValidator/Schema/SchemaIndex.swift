import VigilPolicy
import VigilSchema

/// The facts about a schema that validation asks for over and over, computed once: the transitive membership
/// relations, attribute and context types in the typechecker's terms, and the request environments.
struct SchemaIndex: Sendable {
    let schema: Schema
    /// For each entity type, the entity types whose entities may be (transitively) members of its entities.
    let entityDescendants: [Name: Set<Name>]
    /// For each action, the actions that are (transitively) members of it.
    let actionDescendants: [EntityUID: Set<EntityUID>]
    /// Entity attribute types; enumerated entity types have none.
    let entityAttributes: [Name: RecordShape]
    /// Tag value types of the entity types that declare `tags`.
    let tagTypes: [Name: ValueType]
    /// Every (principal type, action, resource type) a request can have, each with its context type, in a fixed
    /// order so diagnostics come out deterministically.
    let environments: [RequestEnvironment]
    /// Declared entity type names, sorted.
    let entityTypeNames: [Name]
    /// The same names as a set, for the scope checks of unconstrained policies.
    let allEntityTypes: Set<Name>
    /// Every declared action.
    let allActions: Set<EntityUID>

    init(_ schema: Schema) {
        self.schema = schema
        entityTypeNames = schema.entityTypes.keys.sorted()
        allEntityTypes = Set(schema.entityTypes.keys)
        allActions = Set(schema.actions.keys)
        entityDescendants = Dictionary(
            uniqueKeysWithValues: schema.entityTypes.keys.map { ($0, schema.entityTypeDescendants(of: $0)) })
        actionDescendants = Dictionary(
            uniqueKeysWithValues: schema.actions.keys.map { ($0, schema.actionDescendants(of: $0)) })
        entityAttributes = schema.entityTypes.mapValues { RecordShape($0.attributes) }
        tagTypes = schema.entityTypes.compactMapValues { $0.tags.map(ValueType.init) }
        var environments: [RequestEnvironment] = []
        for uid in schema.actions.keys.sorted() {
            guard let action = schema.actions[uid] else { continue }
            let context = ValueType.record(RecordShape(action.context))
            for principal in action.principalTypes.sorted() {
                for resource in action.resourceTypes.sorted() {
                    environments.append(
                        RequestEnvironment(principal: principal, action: uid, resource: resource, context: context))
                }
            }
        }
        self.environments = environments
    }

    /// Whether `type` names an entity type the schema knows. Every action type (`Action`, `NS::Action`) counts as
    /// known here, as in Cedar; unknown action ids are reported separately.
    func isKnownEntityType(_ type: Name) -> Bool {
        type.basename == "Action" || schema.entityTypes[type] != nil
    }

    /// The entity types whose entities can be `in` an entity of type `type`: its descendants and itself.
    func entityTypes(in type: Name) -> Set<Name> {
        (entityDescendants[type] ?? []).union([type])
    }

    /// The actions that are `in` some action of `groups` (including the groups themselves), or `nil` when some
    /// group is not a declared action.
    func actions(in groups: [EntityUID]) -> Set<EntityUID>? {
        var result: Set<EntityUID> = []
        for group in groups {
            guard schema.actions[group] != nil else { return nil }
            result.insert(group)
            result.formUnion(actionDescendants[group] ?? [])
        }
        return result
    }

    /// Whether an action of type `actionType` may be a member of an entity of type `type` through the action
    /// hierarchy.
    func actionMayBeIn(_ actionType: Name, _ type: Name) -> Bool {
        if actionType == type { return true }
        return schema.actions.keys.contains { group in
            group.type == type && (actionDescendants[group] ?? []).contains { $0.type == actionType }
        }
    }

    /// The type of an entity literal, or `nil` when its type (or, for an action, its id) is not declared.
    func literalType(_ uid: EntityUID) -> ValueType? {
        if uid.isAction { return schema.actions[uid] != nil ? .entity(uid.type) : nil }
        return schema.entityTypes[uid.type] != nil ? .entity(uid.type) : nil
    }

    /// The attributes of entities of `type`; none for actions and undeclared types.
    func attributes(of type: Name) -> RecordShape {
        entityAttributes[type] ?? RecordShape(attributes: [:])
    }
}
