import VigilPolicy

/// Builds `by_action`: for each action, the policies whose action constraint admits it (IDX-A001).
enum ScopeIndex {
    /// The key of policies with no action constraint.
    static let anyAction: UInt32 = 0xFFFF_FFFF

    /// - Parameters:
    ///   - constraints: the action constraint of each policy, by policy number.
    ///   - interner: where every action the constraints name was interned (`PolicyCompiler` does it).
    ///   - ancestors: every eid's ancestors, transitively.
    /// - Returns: (action eid or `anyAction`, sorted unique policy numbers), in ascending key order.
    static func byAction(
        _ constraints: [ActionConstraint], interner: Interner, ancestors: [[UInt32]]
    ) -> [(action: UInt32, policies: [UInt32])] {
        func eids(_ list: [EntityUID]) -> [UInt32] { list.compactMap(interner.existingEID) }
        // The groups named by `action in …`, and every entity below each of them.
        var groups: Set<UInt32> = []
        for c in constraints {
            switch c {
            case .in(let a): groups.formUnion(eids([a]))
            case .inSet(let list): groups.formUnion(eids(list))
            default: break
            }
        }
        var members: [UInt32: [UInt32]] = [:]
        if !groups.isEmpty {
            for (eid, list) in ancestors.enumerated() {
                for a in list where groups.contains(a) { members[a, default: []].append(UInt32(eid)) }
            }
        }
        var lists: [UInt32: Set<UInt32>] = [:]
        for (number, c) in constraints.enumerated() {
            let n = UInt32(number)
            switch c {
            case .any:
                lists[anyAction, default: []].insert(n)
            case .equals(let a):
                for action in eids([a]) { lists[action, default: []].insert(n) }
            case .in(let a):
                for g in eids([a]) { for action in [g] + (members[g] ?? []) { lists[action, default: []].insert(n) } }
            case .inSet(let list):
                for g in eids(list) { for action in [g] + (members[g] ?? []) { lists[action, default: []].insert(n) } }
            }
        }
        return lists.keys.sorted().map { ($0, lists[$0, default: []].sorted()) }
    }
}
