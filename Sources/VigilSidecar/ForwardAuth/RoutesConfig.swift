/// One route: which requests it covers and the action and resource they mean.
public struct Route: Sendable {
    /// The methods it covers, uppercase; `nil` for any method.
    public var methods: Set<String>?
    public var path: PathPattern
    /// The action uid; its placeholders are path parameters (rarely used: most actions are fixed).
    public var action: UIDTemplate
    /// The resource uid; its placeholders are path parameters: `Document::"{id}"`.
    public var resource: UIDTemplate
    /// Context fields added for this route, after (and over) the global ones.
    public var context: [ContextField]

    public init(methods: Set<String>?, path: PathPattern, action: UIDTemplate, resource: UIDTemplate,
                context: [ContextField] = []) {
        self.methods = methods
        self.path = path
        self.action = action
        self.resource = resource
        self.context = context
    }
}

/// The routes, and the context fields every route adds.
///
/// Matching picks the most specific route that matches the method and the path, whatever the file order:
/// comparing segment by segment from the left, a literal beats a parameter and a parameter beats the trailing
/// wildcard; on equal paths a route naming the method beats one for any method. Two routes that could tie are
/// refused when the file is loaded, so the choice never depends on order.
public struct RoutesConfig: Sendable {
    public var routes: [Route]
    public var context: [ContextField]

    public init(routes: [Route], context: [ContextField] = []) {
        self.routes = routes
        self.context = context
    }

    /// The best route for a request, with its position and the parameters its pattern captured.
    public func match(method: String, segments: [String]) -> (index: Int, route: Route, parameters: [String: String])? {
        var best: (index: Int, route: Route, parameters: [String: String], rank: [Int])?
        for (i, route) in routes.enumerated() {
            if let m = route.methods, !m.contains(method) { continue }
            guard let captured = route.path.match(segments) else { continue }
            let rank = route.path.specificity + [route.methods == nil ? 0 : 1]
            if let b = best, !b.rank.lexicographicallyPrecedes(rank) { continue }
            best = (i, route, captured, rank)
        }
        return best.map { ($0.index, $0.route, $0.parameters) }
    }

    /// The first route before `index` that covers exactly the same requests as some of route `index`'s.
    func duplicate(of index: Int) -> Int? {
        let r = routes[index]
        return routes[..<index].firstIndex { other in
            guard other.path.shape == r.path.shape else { return false }
            switch (other.methods, r.methods) {
            case (nil, nil): return true
            case (let a?, let b?): return !a.isDisjoint(with: b)
            default: return false
            }
        }
    }
}
