/// A Cedar expression with its source span. Equality and hashing ignore the span.
public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var span: SourceSpan

    public init(_ kind: ExprKind, span: SourceSpan = .none) {
        self.kind = kind
        self.span = span
    }

    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }
}

/// The request variables.
public enum Variable: String, Hashable, Sendable, CaseIterable {
    case principal, action, resource, context
}

/// A literal in policy text.
public enum Literal: Hashable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
}

/// Binary operators, including the infix `in`. Method-call forms (`contains`, …) are `ExprKind.method`.
public enum BinaryOp: String, Hashable, Sendable {
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case `in` = "in"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
}

/// Unary operators.
public enum UnaryOp: String, Hashable, Sendable {
    case not = "!"
    case negate = "-"
}

/// One element of a `like` pattern.
public enum PatternElement: Hashable, Sendable {
    /// A literal character (an escaped `\*` is a literal star).
    case char(Unicode.Scalar)
    /// An unescaped `*`: any sequence of characters, possibly empty.
    case wildcard
}

/// The shape of an expression. Every child is an `Expr` with its own span.
public indirect enum ExprKind: Hashable, Sendable {
    case literal(Literal)
    case variable(Variable)
    case slot(Slot)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case ifThenElse(Expr, Expr, Expr)
    /// `e.attr` or `e["attr"]`; the two spellings mean the same and are not distinguished.
    case getAttribute(Expr, String)
    /// `e has a`, or the dotted form `e has a.b.c` (Cedar 4.3+), which holds when every prefix is present.
    case hasAttribute(Expr, [String])
    case like(Expr, [PatternElement])
    /// `e is T` and `e is T in x`.
    case `is`(Expr, Name, in: Expr?)
    case set([Expr])
    /// A record literal; field order is kept as written, keys are unique.
    case record([(String, Expr)])
    /// `e.m(args)`: the built-in methods (`contains`, `containsAll`, `containsAny`, `isEmpty`, `getTag`,
    /// `hasTag`) and extension methods (`lessThan`, `isInRange`, `toDate`, …).
    case method(Expr, String, [Expr])
    /// `f(args)`: extension functions (`ip`, `decimal`, `datetime`, `duration`).
    case call(Name, [Expr])

    public static func == (a: ExprKind, b: ExprKind) -> Bool {
        switch (a, b) {
        case (.literal(let x), .literal(let y)): return x == y
        case (.variable(let x), .variable(let y)): return x == y
        case (.slot(let x), .slot(let y)): return x == y
        case (.unary(let o1, let x), .unary(let o2, let y)): return o1 == o2 && x == y
        case (.binary(let o1, let x1, let x2), .binary(let o2, let y1, let y2)): return o1 == o2 && x1 == y1 && x2 == y2
        case (.ifThenElse(let x1, let x2, let x3), .ifThenElse(let y1, let y2, let y3)):
            return x1 == y1 && x2 == y2 && x3 == y3
        case (.getAttribute(let x, let a), .getAttribute(let y, let b)): return x == y && a == b
        case (.hasAttribute(let x, let a), .hasAttribute(let y, let b)): return x == y && a == b
        case (.like(let x, let p), .like(let y, let q)): return x == y && p == q
        case (.is(let x, let t, let i), .is(let y, let u, let j)): return x == y && t == u && i == j
        case (.set(let x), .set(let y)): return x == y
        case (.record(let x), .record(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.method(let x, let m, let xa), .method(let y, let n, let ya)): return x == y && m == n && xa == ya
        case (.call(let f, let xa), .call(let g, let ya)): return f == g && xa == ya
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .literal(let l): h.combine(0); h.combine(l)
        case .variable(let v): h.combine(1); h.combine(v)
        case .slot(let s): h.combine(2); h.combine(s)
        case .unary(let o, let e): h.combine(3); h.combine(o); h.combine(e)
        case .binary(let o, let a, let b): h.combine(4); h.combine(o); h.combine(a); h.combine(b)
        case .ifThenElse(let a, let b, let c): h.combine(5); h.combine(a); h.combine(b); h.combine(c)
        case .getAttribute(let e, let a): h.combine(6); h.combine(e); h.combine(a)
        case .hasAttribute(let e, let a): h.combine(7); h.combine(e); h.combine(a)
        case .like(let e, let p): h.combine(8); h.combine(e); h.combine(p)
        case .is(let e, let t, let i): h.combine(9); h.combine(e); h.combine(t); h.combine(i)
        case .set(let es): h.combine(10); h.combine(es)
        case .record(let fs):
            h.combine(11)
            for (k, v) in fs { h.combine(k); h.combine(v) }
        case .method(let e, let m, let a): h.combine(12); h.combine(e); h.combine(m); h.combine(a)
        case .call(let f, let a): h.combine(13); h.combine(f); h.combine(a)
        }
    }
}
