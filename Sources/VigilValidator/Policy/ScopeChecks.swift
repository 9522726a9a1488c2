import VigilPolicy
import VigilSchema

/// The checks Cedar makes once per policy rather than once per request environment: every entity type and
/// action the policy names exists, ids of enumerated entity types are declared, and some action the scope
/// allows applies to some principal and resource type the scope allows.
struct ScopeChecks {
    let index: SchemaIndex

    func check(_ policy: Policy, into sink: DiagnosticSink) {
        let names = namedEntities(policy)
        for (type, span) in names.types where !index.isKnownEntityType(type) {
            let suggestion = closestMatch(
                to: type.description, among: index.entityTypeNames.map(\.description))
            sink.error(
                "unknown_entity_type", "unrecognized entity type `\(type)`", at: span,
                help: suggestion.map { "did you mean `\($0)`?" })
        }
        for (uid, span) in names.uids where !uid.isAction {
            if let ids = index.schema.entityTypes[uid.type]?.enumIDs, !ids.contains(uid.id) {
                sink.error(
                    "invalid_enum_entity",
                    "entity `\(uid)` is of an enumerated entity type, but `\(CedarString.quote(uid.id))` is not "
                        + "declared as a valid eid", at: span,
                    help: "valid entity eids: " + ids.map(CedarString.quote).joined(separator: ", "))
            }
        }
        for (uid, span) in names.uids where uid.isAction && index.schema.actions[uid] == nil {
            sink.error("unknown_action", "unrecognized action `\(uid)`", at: span, help: actionHelp(uid))
        }
        checkActionApplication(policy, into: sink)
    }

    /// Entity types and entity uids the policy names, in source order, with where each is written.
    private func namedEntities(_ policy: Policy) -> (types: [(Name, SourceSpan)], uids: [(EntityUID, SourceSpan)]) {
        var types: [(Name, SourceSpan)] = []
        var uids: [(EntityUID, SourceSpan)] = []
        func scope(_ c: ScopeConstraint, _ span: SourceSpan) {
            switch c {
            case .any: break
            case .equals(let ref), .in(let ref):
                if case .entity(let uid) = ref {
                    types.append((uid.type, span))
                    uids.append((uid, span))
                }
            case .is(let type):
                types.append((type, span))
            case .isIn(let type, let ref):
                types.append((type, span))
                if case .entity(let uid) = ref {
                    types.append((uid.type, span))
                    uids.append((uid, span))
                }
            }
        }
        scope(policy.principal, policy.principalSpan)
        let actionUIDs: [EntityUID]
        switch policy.action {
        case .any: actionUIDs = []
        case .equals(let uid), .in(let uid): actionUIDs = [uid]
        case .inSet(let list): actionUIDs = list
        }
        for uid in actionUIDs {
            types.append((uid.type, policy.actionSpan))
            uids.append((uid, policy.actionSpan))
        }
        scope(policy.resource, policy.resourceSpan)
        for condition in policy.conditions {
            condition.body.visit { e in
                switch e.kind {
                case .literal(.entity(let uid)):
                    types.append((uid.type, e.span))
                    uids.append((uid, e.span))
                case .is(_, let type, _):
                    types.append((type, e.span))
                default: break
                }
            }
        }
        return (types, uids)
    }

    /// Cedar's hint for an unknown action: the type written inside the id, or the closest declared action.
    private func actionHelp(_ uid: EntityUID) -> String? {
        let withType = "Action::\(uid.id)", withQuotedType = "Action::\"\(uid.id)\""
        let declared = index.schema.actions.keys.sorted()
        if let match = declared.first(where: { $0.id.contains(withType) || $0.id.contains(withQuotedType) }) {
            return "did you intend to include the type in action `\(match)`?"
        }
        return closestMatch(to: uid.id, among: declared.map(\.id)).flatMap { id in
            declared.first { $0.id == id }.map { "did you mean `\($0)`?" }
        }
    }

    // MARK: - Action application

    /// Reports a policy whose scope admits no (principal type, action, resource type) that any action applies to.
    private func checkActionApplication(_ policy: Policy, into sink: DiagnosticSink) {
        let actions = actionsAllowed(by: policy.action)
        let principals = typesAllowed(by: policy.principal)
        let resources = typesAllowed(by: policy.resource)
        let applies = actions.contains { uid in
            guard let a = index.schema.actions[uid] else { return false }
            return !a.principalTypes.isDisjoint(with: principals) && !a.resourceTypes.isDisjoint(with: resources)
        }
        guard !applies else { return }
        let fixPrincipal = inWouldFix(policy.principal, actions, \.principalTypes)
        let fixResource = inWouldFix(policy.resource, actions, \.resourceTypes)
        let help: String?
        switch (fixPrincipal, fixResource) {
        case (true, false): help = "try replacing `==` with `in` in the principal clause"
        case (false, true): help = "try replacing `==` with `in` in the resource clause"
        case (true, true): help = "try replacing `==` with `in` in the principal clause and the resource clause"
        case (false, false): help = nil
        }
        sink.error(
            "no_applicable_action", "unable to find an applicable action given the policy scope constraints",
            at: policy.principalSpan.union(policy.resourceSpan), help: help)
    }

    /// The actions the action scope admits.
    private func actionsAllowed(by constraint: ActionConstraint) -> Set<EntityUID> {
        switch constraint {
        case .any: return index.allActions
        case .equals(let uid): return [uid]
        case .in(let uid): return index.actions(in: [uid]) ?? []
        case .inSet(let uids): return index.actions(in: uids) ?? []
        }
    }

    /// The entity types a principal or resource scope admits.
    private func typesAllowed(by constraint: ScopeConstraint) -> Set<Name> {
        switch constraint {
        case .any, .equals(.slot), .in(.slot): return index.allEntityTypes
        case .equals(.entity(let uid)): return [uid.type]
        case .in(.entity(let uid)): return index.entityTypes(in: uid.type)
        case .is(let type), .isIn(let type, .slot):
            return index.isKnownEntityType(type) ? [type] : []
        case .isIn(let type, .entity(let uid)):
            return index.entityTypes(in: uid.type).filter { $0 == type }
        }
    }

    /// Whether turning `X == E` into `X in E` would make the scope applicable: no admitted action applies to E's
    /// type itself, but one applies to a type whose entities can be members of E.
    private func inWouldFix(
        _ constraint: ScopeConstraint, _ actions: Set<EntityUID>, _ types: KeyPath<ActionDefinition, Set<Name>>
    ) -> Bool {
        guard case .equals(.entity(let uid)) = constraint else { return false }
        let definitions = actions.compactMap { index.schema.actions[$0] }
        guard !definitions.contains(where: { $0[keyPath: types].contains(uid.type) }),
            index.schema.entityTypes[uid.type] != nil
        else { return false }
        let members = index.entityDescendants[uid.type] ?? []
        return definitions.contains { !$0[keyPath: types].isDisjoint(with: members) }
    }
}
