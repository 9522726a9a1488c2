/// Orders nodes so each comes after the nodes it depends on, and finds the cycles that prevent an order.
///
/// Used for common types (a type depends on the types it names) and for the action hierarchy (an action depends
/// on its parent groups). Kahn's algorithm, iterative, so a long chain of definitions cannot exhaust the stack.
struct DependencyOrder<Node: Hashable> {
    /// The nodes that could be ordered, each after its dependencies.
    var order: [Node] = []
    /// One node from each cycle, in the order of `nodes`. Nodes that only depend on a cycle are in neither list.
    var cycles: [Node] = []

    /// - Parameters:
    ///   - nodes: the nodes, without duplicates, in the order in which cycles should be reported.
    ///   - dependencies: what a node depends on; anything that is not in `nodes` is ignored.
    init(_ nodes: [Node], dependencies: (Node) -> [Node]) {
        var index: [Node: Int] = [:]
        for (i, n) in nodes.enumerated() { index[n] = i }
        var deps = [[Int]](repeating: [], count: nodes.count)
        var dependents = [[Int]](repeating: [], count: nodes.count)
        var pending = [Int](repeating: 0, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            deps[i] = Set(dependencies(n).compactMap { index[$0] }).sorted()
            pending[i] = deps[i].count
            for d in deps[i] { dependents[d].append(i) }
        }
        var queue = nodes.indices.filter { pending[$0] == 0 }
        var head = 0
        while head < queue.count {
            let i = queue[head]
            head += 1
            order.append(nodes[i])
            for j in dependents[i] {
                pending[j] -= 1
                if pending[j] == 0 { queue.append(j) }
            }
        }
        // Every node left has a dependency that is also left, so following dependencies from any of them must
        // come back to a node already on the walk: that node is on a cycle.
        var explored = Set<Int>()
        for start in nodes.indices where pending[start] > 0 && !explored.contains(start) {
            var onWalk = Set<Int>()
            var current = start
            while !explored.contains(current) {
                if onWalk.contains(current) {
                    cycles.append(nodes[current])
                    break
                }
                onWalk.insert(current)
                guard let next = deps[current].first(where: { pending[$0] > 0 }) else { break }
                current = next
            }
            explored.formUnion(onWalk)
        }
    }
}
