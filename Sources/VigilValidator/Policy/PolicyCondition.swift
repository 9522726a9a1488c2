import VigilPolicy

extension Policy {
    /// The policy as the single boolean expression Cedar typechecks: `principal ∧ (action ∧ (resource ∧ body))`,
    /// where the body is the `when` conditions and negated `unless` conditions folded to the right.
    ///
    /// Each scope part keeps the span of its place in the scope, so an error in it points there.
    var condition: Expr {
        let body: Expr
        if let last = conditions.last {
            body = conditions.dropLast().reversed().reduce(clause(last)) { rest, c in
                Expr(.binary(.and, clause(c), rest), span: span)
            }
        } else {
            body = Expr(.literal(.bool(true)), span: span)
        }
        let resourceAndBody = Expr(.binary(.and, scope(.resource, resource, resourceSpan), body), span: span)
        let actionAndRest = Expr(.binary(.and, actionScope, resourceAndBody), span: span)
        return Expr(.binary(.and, scope(.principal, principal, principalSpan), actionAndRest), span: span)
    }

    private func clause(_ c: Condition) -> Expr {
        c.kind == .when ? c.body : Expr(.unary(.not, c.body), span: c.span)
    }

    private func scope(_ variable: Variable, _ constraint: ScopeConstraint, _ at: SourceSpan) -> Expr {
        let v = Expr(.variable(variable), span: at)
        func target(_ ref: EntityReference) -> Expr {
            switch ref {
            case .entity(let uid): return Expr(.literal(.entity(uid)), span: at)
            case .slot(let slot): return Expr(.slot(slot), span: at)
            }
        }
        switch constraint {
        case .any: return Expr(.literal(.bool(true)), span: at)
        case .equals(let ref): return Expr(.binary(.equal, v, target(ref)), span: at)
        case .in(let ref): return Expr(.binary(.in, v, target(ref)), span: at)
        case .is(let type): return Expr(.is(v, type, in: nil), span: at)
        case .isIn(let type, let ref): return Expr(.is(v, type, in: target(ref)), span: at)
        }
    }

    /// `action in A` is read as `action in [A]`, as Cedar does.
    private var actionScope: Expr {
        let v = Expr(.variable(.action), span: actionSpan)
        func uidSet(_ uids: [EntityUID]) -> Expr {
            Expr(.set(uids.map { Expr(.literal(.entity($0)), span: actionSpan) }), span: actionSpan)
        }
        switch action {
        case .any: return Expr(.literal(.bool(true)), span: actionSpan)
        case .equals(let uid):
            return Expr(.binary(.equal, v, Expr(.literal(.entity(uid)), span: actionSpan)), span: actionSpan)
        case .in(let uid): return Expr(.binary(.in, v, uidSet([uid])), span: actionSpan)
        case .inSet(let uids): return Expr(.binary(.in, v, uidSet(uids)), span: actionSpan)
        }
    }
}
