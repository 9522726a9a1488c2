/// `permit` or `forbid`.
public enum Effect: String, Hashable, Sendable {
    case permit
    case forbid
}

/// A template slot, `?principal` or `?resource`.
public enum Slot: String, Hashable, Sendable {
    case principal = "?principal"
    case resource = "?resource"
}

/// The right-hand side of a principal or resource scope constraint: a literal entity or a template slot.
public enum EntityReference: Hashable, Sendable {
    case entity(EntityUID)
    case slot(Slot)
}

/// The constraint on `principal` or `resource` in a policy's scope.
public enum ScopeConstraint: Hashable, Sendable {
    /// No constraint: `principal`.
    case any
    /// `principal == X`.
    case equals(EntityReference)
    /// `principal in X`.
    case `in`(EntityReference)
    /// `principal is T`.
    case `is`(Name)
    /// `principal is T in X`.
    case isIn(Name, EntityReference)

    /// The slot this constraint uses, if any.
    public var slot: Slot? {
        switch self {
        case .equals(.slot(let s)), .in(.slot(let s)), .isIn(_, .slot(let s)): return s
        default: return nil
        }
    }
}

/// The constraint on `action` in a policy's scope.
public enum ActionConstraint: Hashable, Sendable {
    /// No constraint: `action`.
    case any
    /// `action == Action::"a"`.
    case equals(EntityUID)
    /// `action in Action::"group"`.
    case `in`(EntityUID)
    /// `action in [Action::"a", Action::"b"]`.
    case inSet([EntityUID])
}

/// `@name("value")` or `@name` before a policy. Vigil reads `@id`, `@step_up` and `@max_age`.
public struct Annotation: Hashable, Sendable {
    public var name: String
    /// The value; `nil` when written without one (`@name`), which Cedar treats as the empty string.
    public var value: String?
    public var span: SourceSpan

    public init(name: String, value: String?, span: SourceSpan = .none) {
        self.name = name
        self.value = value
        self.span = span
    }

    public static func == (a: Annotation, b: Annotation) -> Bool { a.name == b.name && a.value == b.value }
    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(value)
    }
}

/// A `when { … }` or `unless { … }` clause.
public struct Condition: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case when
        case unless
    }

    public var kind: Kind
    public var body: Expr
    public var span: SourceSpan

    public init(kind: Kind, body: Expr, span: SourceSpan = .none) {
        self.kind = kind
        self.body = body
        self.span = span
    }

    public static func == (a: Condition, b: Condition) -> Bool { a.kind == b.kind && a.body == b.body }
    public func hash(into h: inout Hasher) {
        h.combine(kind)
        h.combine(body)
    }
}

/// One Cedar policy or template, as written.
///
/// A policy with a slot (`?principal`, `?resource`) in its scope is a template; it takes effect only through
/// template links. Equality ignores source positions.
public struct Policy: Hashable, Sendable {
    public var annotations: [Annotation]
    public var effect: Effect
    public var principal: ScopeConstraint
    public var action: ActionConstraint
    public var resource: ScopeConstraint
    public var conditions: [Condition]
    /// The whole policy, from its first annotation to the final `;`.
    public var span: SourceSpan
    /// Spans of the three scope constraints, for errors about them.
    public var principalSpan: SourceSpan
    public var actionSpan: SourceSpan
    public var resourceSpan: SourceSpan

    public init(
        annotations: [Annotation] = [], effect: Effect, principal: ScopeConstraint = .any,
        action: ActionConstraint = .any, resource: ScopeConstraint = .any, conditions: [Condition] = [],
        span: SourceSpan = .none, principalSpan: SourceSpan = .none, actionSpan: SourceSpan = .none,
        resourceSpan: SourceSpan = .none
    ) {
        self.annotations = annotations
        self.effect = effect
        self.principal = principal
        self.action = action
        self.resource = resource
        self.conditions = conditions
        self.span = span
        self.principalSpan = principalSpan
        self.actionSpan = actionSpan
        self.resourceSpan = resourceSpan
    }

    /// `true` when the scope uses a slot, which makes this a template.
    public var isTemplate: Bool { principal.slot != nil || resource.slot != nil }

    /// The value of the first annotation called `name`; `""` for one written without a value.
    public func annotation(_ name: String) -> String? {
        annotations.first { $0.name == name }.map { $0.value ?? "" }
    }

    public static func == (a: Policy, b: Policy) -> Bool {
        a.annotations == b.annotations && a.effect == b.effect && a.principal == b.principal && a.action == b.action
            && a.resource == b.resource && a.conditions == b.conditions
    }

    public func hash(into h: inout Hasher) {
        h.combine(effect)
        h.combine(principal)
        h.combine(action)
        h.combine(resource)
        h.combine(conditions)
    }
}

/// The policies of one or more files, in order, each with its positional id.
public struct PolicySet: Sendable {
    /// A policy with where it came from and its ids.
    public struct Entry: Sendable {
        public var policy: Policy
        /// The file the policy was read from; diagnostics about it point here.
        public var file: SourceFile
        /// Cedar's positional id: the N-th policy of the set (counting from 0) is `policyN`.
        public var positionalID: String
        /// The `@id("…")` annotation, when present.
        public var annotatedID: String? { policy.annotation("id") }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// Appends policies read from `file`, numbering them after the ones already here.
    public mutating func append(_ policies: [Policy], from file: SourceFile) {
        for p in policies {
            entries.append(Entry(policy: p, file: file, positionalID: "policy\(entries.count)"))
        }
    }
}
