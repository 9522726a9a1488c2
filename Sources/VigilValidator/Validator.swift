import VigilPolicy
import VigilSchema

/// Strict validation of Cedar policies against a schema, with Cedar 4's results: a policy set validates here
/// exactly when `cedar validate` (strict mode) accepts it.
///
/// Each policy is checked once for the names it uses (entity types, actions, enumerated ids, whether any action
/// applies to its scope) and then typechecked in every request environment the schema allows: each action with
/// each of its principal and resource types (and, for a template, each entity type its slots could be linked
/// to). A policy is valid when no check finds an error. One that can never apply (its condition is `false` in
/// every environment) is still valid, with a warning.
public struct Validator: Sendable {
    private let index: SchemaIndex

    /// Prepares a validator for `schema`; the schema's hierarchy and request environments are computed once.
    public init(schema: Schema) {
        self.index = SchemaIndex(schema)
    }

    /// Validates every policy and template of `set`.
    /// - Parameter set: the policies, each with the file its diagnostics point into.
    /// - Returns: the errors, ordered by policy and position; empty when the set is valid.
    public func validate(_ set: PolicySet) -> [Diagnostic] {
        check(set).errors
    }

    /// Validates every policy and template of `set`, keeping warnings as well as errors.
    /// - Parameter set: the policies, each with the file its diagnostics point into.
    /// - Returns: the errors and the warnings (policies that can never apply).
    public func check(_ set: PolicySet) -> ValidationReport {
        var report = ValidationReport()
        for entry in set.entries {
            // Name the policy as its author did when it has an `@id`; the positional id otherwise.
            let sink = DiagnosticSink(file: entry.file, policyID: entry.annotatedID ?? entry.positionalID)
            ScopeChecks(index: index).check(entry.policy, into: sink)
            if !typecheck(entry.policy, into: sink) {
                report.warnings.append(
                    sink.warning(
                        "impossible_policy",
                        "policy is impossible: the policy expression evaluates to false for all valid requests",
                        at: entry.policy.span))
            }
            report.errors += sink.errors.enumerated().sorted { a, b in
                a.element.span.start != b.element.span.start
                    ? a.element.span.start < b.element.span.start : a.offset < b.offset
            }.map(\.element)
        }
        return report
    }

    /// Typechecks `policy` in every request environment.
    /// - Returns: whether some environment could make the policy apply (its condition is not always `false`).
    private func typecheck(_ policy: Policy, into sink: DiagnosticSink) -> Bool {
        let condition = policy.condition
        var canApply = false
        for unlinked in index.environments {
            for env in linkedEnvironments(unlinked, policy) {
                let answer = Typechecker(index: index, env: env, sink: sink).expect(condition, .bool, .empty)
                if case .bool(.alwaysFalse)? = answer.type { continue }
                canApply = true
            }
        }
        return canApply
    }

    /// `env` with each combination of entity types the template's slots could be linked to; just `env` for a
    /// static policy. Only links that the scope could match are considered: `principal == ?principal` needs
    /// the principal's own type, `principal in ?principal` the type or one it can be a member of.
    private func linkedEnvironments(_ env: RequestEnvironment, _ policy: Policy) -> [RequestEnvironment] {
        func links(_ constraint: ScopeConstraint, _ type: Name) -> [Name?] {
            switch constraint {
            case .equals(.slot): return [type]
            case .in(.slot), .isIn(_, .slot):
                return index.entityTypeNames.filter { index.entityDescendants[$0]?.contains(type) == true } + [type]
            default: return [nil]
            }
        }
        var linked: [RequestEnvironment] = []
        for p in links(policy.principal, env.principal) {
            for r in links(policy.resource, env.resource) {
                var e = env
                e.principalSlot = p
                e.resourceSlot = r
                linked.append(e)
            }
        }
        return linked
    }
}

/// What validation found: errors make a policy set invalid, warnings do not.
public struct ValidationReport: Sendable {
    /// Errors, ordered by policy and position.
    public var errors: [Diagnostic] = []
    /// Warnings: policies that can never apply.
    public var warnings: [Diagnostic] = []

    /// `true` when there are no errors.
    public var isValid: Bool { errors.isEmpty }
}
