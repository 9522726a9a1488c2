extension Expr {
    /// The direct subexpressions, in source order.
    public var children: [Expr] {
        switch kind {
        case .literal, .variable, .slot: return []
        case .unary(_, let e), .getAttribute(let e, _), .hasAttribute(let e, _), .like(let e, _): return [e]
        case .binary(_, let a, let b): return [a, b]
        case .ifThenElse(let a, let b, let c): return [a, b, c]
        case .is(let e, _, let i): return i.map { [e, $0] } ?? [e]
        case .set(let es): return es
        case .record(let fs): return fs.map(\.1)
        case .method(let r, _, let args): return [r] + args
        case .call(_, let args): return args
        }
    }

    /// Calls `body` on this expression and every subexpression, parents before children.
    public func visit(_ body: (Expr) -> Void) {
        body(self)
        for c in children { c.visit(body) }
    }
}
