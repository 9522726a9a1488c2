import VigilPolicy
import VigilSchema

/// The checks that need every entity at once: no cycle in the parent relation (Cedar's `compute_tc` with
/// `enforce_dag`) and, with a schema, listed actions matching their declarations (`validate_action`).
struct EntityHierarchyCheck {
    let entities: [ReadEntity]
    let schema: Schema?
    private let store: EntityStore
    private let position: [EntityUID: Int]

    init(entities: [ReadEntity], schema: Schema?) {
        self.entities = entities
        self.schema = schema
        self.store = EntityStore(entities.map(\.entity))
        var position: [EntityUID: Int] = [:]
        for (i, e) in entities.enumerated() { position[e.entity.uid] = i }
        self.position = position
    }

    /// Reports each cycle once, at the parent reference of its first member in file order.
    func reportCycles(into sink: inout DiagnosticSink) {
        // Peel off entities whose listed parents are all peeled (or absent); what remains lies on a cycle or
        // below one.
        let n = entities.count
        var pending = [Int](repeating: 0, count: n)
        var children = [[Int]](repeating: [], count: n)
        for (i, e) in entities.enumerated() {
            for p in e.entity.parents {
                guard let j = position[p] else { continue }
                pending[i] += 1
                children[j].append(i)
            }
        }
        var queue = (0..<n).filter { pending[$0] == 0 }
        while let i = queue.popLast() {
            for c in children[i] {
                pending[c] -= 1
                if pending[c] == 0 { queue.append(c) }
            }
        }
        // Walk up from each remaining entity through remaining parents until a node repeats: that closes a cycle.
        var done = [Bool](repeating: false, count: n)
        for start in 0..<n where pending[start] > 0 && !done[start] {
            var walk: [Int] = []
            var onWalk: [Int: Int] = [:]
            var i = start
            while !done[i], onWalk[i] == nil {
                onWalk[i] = walk.count
                walk.append(i)
                // INVARIANT: a remaining entity has at least one remaining parent; take the first in uid order.
                guard let next = entities[i].entity.parents.compactMap({ position[$0] })
                    .filter({ pending[$0] > 0 }).min(by: { entities[$0].entity.uid < entities[$1].entity.uid })
                else { break }
                i = next
            }
            if let k = onWalk[i], !done[i] {
                var cycle = Array(walk[k...])
                let first = cycle.indices.min { cycle[$0] < cycle[$1] } ?? 0
                cycle = Array(cycle[first...] + cycle[..<first])
                let head = entities[cycle[0]]
                let next = entities[cycle.count > 1 ? cycle[1] : cycle[0]].entity.uid
                let chain = (cycle + [cycle[0]]).map { "`\(entities[$0].entity.uid)`" }.joined(separator: " → ")
                let at = head.parentNodes[next] ?? (head.uidNode, head.path.key("uid"))
                sink.error("vigil.data.parent_cycle", "`\(head.entity.uid)` is its own ancestor: \(chain)",
                           at: at.node.span, path: at.path, help: "the parent relation must not have cycles")
            }
            for j in walk { done[j] = true }
        }
    }

    /// With a schema, reports listed actions that are undeclared or differ from their declaration: Cedar requires
    /// them to equal the schema's action entities (no attributes or tags, the same transitive ancestors).
    func checkActions(into sink: inout DiagnosticSink) {
        guard let schema else { return }
        for e in entities where e.entity.uid.isAction {
            let uid = e.entity.uid
            let path = e.path.key("uid")
            guard schema.actions[uid] != nil else {
                sink.error("vigil.data.undeclared_action", "action `\(uid)` is not declared in the schema",
                           at: e.uidNode.span, path: path,
                           help: actionSuggestion(for: uid, in: schema))
                continue
            }
            if !e.entity.attributes.isEmpty || !e.entity.tags.isEmpty {
                let what = e.entity.attributes.isEmpty ? "tags" : "attributes"
                sink.error("vigil.data.action_mismatch", "action `\(uid)` has \(what), but schema actions have none",
                           at: e.uidNode.span, path: path, help: "remove them, or leave the action out of the entities")
                continue
            }
            let listed = store.ancestors(of: uid)
            let declared = schema.actionAncestors(of: uid)
            if listed != declared {
                func show(_ s: Set<EntityUID>) -> String {
                    s.isEmpty ? "none" : s.sorted().map { "`\($0)`" }.joined(separator: ", ")
                }
                sink.error("vigil.data.action_mismatch",
                           "the ancestors of action `\(uid)` differ from its declaration in the schema",
                           at: e.uidNode.span, path: path,
                           help: "the schema gives \(show(declared)); the entities give \(show(listed))")
            }
        }
    }

    /// The entities in file order, with the schema's actions in place of listed ones and the others appended in
    /// uid order, as Cedar adds the schema's action entities to the store.
    func withSchemaActions() -> [Entity] {
        guard let schema else { return entities.map(\.entity) }
        func fromSchema(_ uid: EntityUID) -> Entity? {
            schema.actions[uid].map { Entity(uid: uid, parents: $0.memberOf) }
        }
        var out = entities.map { e in e.entity.uid.isAction ? fromSchema(e.entity.uid) ?? e.entity : e.entity }
        for uid in schema.actions.keys.sorted() where position[uid] == nil {
            if let a = fromSchema(uid) { out.append(a) }
        }
        return out
    }
}
