/// The transitive closure of the parent relation over eids (IDX-E002).
///
/// Iterative, so deep hierarchies cannot exhaust the stack, and cycle-safe: a node is expanded once per closure,
/// and a cycle simply makes its members ancestors of each other (never of themselves).
enum AncestorClosure {
    /// Every ancestor of every eid, sorted and unique, not including the eid itself.
    /// - Parameter parents: the direct parents of each eid (`parents[eid]`); eids without an entry have none.
    static func compute(parents: [[UInt32]]) -> [[UInt32]] {
        var done: [[UInt32]?] = Array(repeating: nil, count: parents.count)
        var seen = [UInt32](repeating: UInt32.max, count: parents.count)  // last eid whose walk marked a node
        for start in parents.indices {
            let mark = UInt32(start)
            var result: [UInt32] = []
            var stack = parents[start]
            func add(_ n: UInt32) -> Bool {
                guard Int(n) < seen.count, seen[Int(n)] != mark else { return false }
                seen[Int(n)] = mark
                result.append(n)
                return true
            }
            while let n = stack.popLast() {
                guard add(n) else { continue }
                // A finished node's closure is already complete: take it instead of walking it again.
                if let known = done[Int(n)] {
                    for a in known { _ = add(a) }
                } else {
                    stack.append(contentsOf: parents[Int(n)])
                }
            }
            result.removeAll { $0 == mark }
            result.sort()
            done[start] = result
        }
        return done.map { $0 ?? [] }
    }
}
