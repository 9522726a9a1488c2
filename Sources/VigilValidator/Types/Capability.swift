import VigilPolicy

/// A fact learned from a guard: an optional attribute or a tag is known to be present on an expression.
///
/// Expressions are compared by shape (equality of `Expr` ignores spans), so `principal has email` guards a later
/// `principal.email` wherever it is written.
enum Capability: Hashable, Sendable {
    /// `on` has the attribute `name` (learned from `on has name`).
    case attribute(on: Expr, name: String)
    /// `on` has the tag that `tag` evaluates to (learned from `on.hasTag(tag)`).
    case tag(on: Expr, tag: Expr)
}

/// The capabilities known to hold where an expression is evaluated, or that an expression grants when it
/// evaluates to `true`.
struct CapabilitySet: Sendable {
    private var facts: Set<Capability>

    init(_ facts: Set<Capability> = []) { self.facts = facts }

    static let empty = CapabilitySet()

    func contains(_ c: Capability) -> Bool { facts.contains(c) }

    func union(_ other: CapabilitySet) -> CapabilitySet {
        if facts.isEmpty { return other }
        if other.facts.isEmpty { return self }
        return CapabilitySet(facts.union(other.facts))
    }

    func intersection(_ other: CapabilitySet) -> CapabilitySet {
        if facts.isEmpty || other.facts.isEmpty { return .empty }
        return CapabilitySet(facts.intersection(other.facts))
    }
}
