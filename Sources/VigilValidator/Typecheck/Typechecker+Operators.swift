import VigilPolicy

extension Typechecker {
    func binary(_ op: BinaryOp, _ lhs: Expr, _ rhs: Expr, _ e: Expr, _ prior: CapabilitySet) -> Answer {
        switch op {
        case .and: return conjunction(lhs, rhs, prior)
        case .or: return disjunction(lhs, rhs, prior)
        case .equal: return equality(lhs, rhs, e, prior)
        // Cedar reads `a != b` as `!(a == b)`, `a > b` as `!(a <= b)` and `a >= b` as `!(a < b)`.
        case .notEqual: return negated(equality(lhs, rhs, e, prior))
        case .less, .lessEqual: return ordering(lhs, rhs, prior)
        case .greater, .greaterEqual: return negated(ordering(lhs, rhs, prior))
        case .in: return membership(lhs, rhs, prior)
        case .add, .subtract, .multiply:
            let help: (ValueType) -> String? = { actual in
                switch actual {
                case .string where op == .add: return "Cedar does not support string concatenation"
                case .set: return "Cedar does not support computing the union, intersection, or difference of sets"
                default: return nil
                }
            }
            let left = expect(lhs, .long, prior, help: help)
            return left.then { _, _ in expect(rhs, .long, prior, help: help).then { _, _ in .success(.long) } }
        }
    }

    /// `a == b`: any two types may be compared, but in strict mode they must have a common type unless the
    /// result is known anyway (two literals, or entities of different types, which are never equal).
    func equality(_ lhs: Expr, _ rhs: Expr, _ e: Expr, _ prior: CapabilitySet) -> Answer {
        let left = typecheck(lhs, prior)
        let right = typecheck(rhs, prior)
        return left.then { leftType, _ in
            right.then { rightType, _ in
                let result: ValueType
                if case .entity(let a)? = leftType, case .entity(let b)? = rightType, a != b {
                    result = .alwaysFalse
                } else if let a = literalValue(lhs), let b = literalValue(rhs) {
                    result = .singleton(a == b)
                } else {
                    result = .anyBool
                }
                return strictlyComparable(leftType, rightType, result, .equality, at: e.span)
            }
        }
    }

    /// Cedar's strict rule for `==`, `contains`, `containsAll` and `containsAny`: unless the result is a known
    /// singleton, the two operand types must have a least upper bound.
    func strictlyComparable(
        _ a: ValueType?, _ b: ValueType?, _ result: ValueType, _ context: LubContext, at span: SourceSpan
    ) -> Answer {
        if case .bool(.any) = result, let a, let b, case .failure(let why) = ValueType.leastUpperBound(a, b) {
            incompatible([a, b], why, context, at: span)
            return .fail(result)
        }
        return .success(result)
    }

    /// `a < b` and `a <= b`: both `Long`, or both the same extension type with comparison operators
    /// (`datetime`, `duration`).
    func ordering(_ lhs: Expr, _ rhs: Expr, _ prior: CapabilitySet) -> Answer {
        let left = typecheck(lhs, prior)
        return left.then { leftType, _ in
            typecheck(rhs, prior).then { rightType, _ in
                guard let leftType, let rightType else { return .fail(.anyBool) }
                let all = "Long, datetime, or duration"
                switch (leftType, rightType) {
                case (.never, .never): return .fail(.anyBool)
                case (.never, let other):
                    guard isOrdered(other) else {
                        unexpectedType(at: rhs.span, expected: all, actual: other)
                        return .fail(.anyBool)
                    }
                    return .success(.anyBool)
                case (let other, .never):
                    guard isOrdered(other) else {
                        unexpectedType(at: lhs.span, expected: all, actual: other)
                        return .fail(.anyBool)
                    }
                    return .success(.anyBool)
                case (let a, let b) where a == b && isOrdered(a): return .success(.anyBool)
                case (.long, let other):
                    unexpectedType(at: rhs.span, expected: "Long", actual: other)
                case (let other, .long):
                    unexpectedType(at: lhs.span, expected: "Long", actual: other)
                case (let a, let b) where isOrdered(a):
                    unexpectedType(at: rhs.span, expected: a.description, actual: b)
                case (let a, let b) where isOrdered(b):
                    unexpectedType(at: lhs.span, expected: b.description, actual: a)
                case (let a, let b):
                    unexpectedType(at: lhs.span, expected: all, actual: a)
                    unexpectedType(at: rhs.span, expected: all, actual: b)
                }
                return .fail(.anyBool)
            }
        }
    }

    private func isOrdered(_ t: ValueType) -> Bool {
        switch t {
        case .long, .extension("datetime"), .extension("duration"): return true
        default: return false
        }
    }

    /// `a in b`: an entity in an entity or a set of entities. The result is `false` when the schema's hierarchy
    /// makes membership impossible, and exact when an action literal is tested against action literals.
    func membership(_ lhs: Expr, _ rhs: Expr, _ prior: CapabilitySet) -> Answer {
        let left = expect(lhs, .entity, prior) { _ in "try using `contains` to test if a single element is in a set" }
        let right = expect(rhs, .entityOrEntitySet, prior) { actual in
            switch actual {
            case .set: return "try using `contains` to test if a single element is in a set"
            case .string: return "try using `like` to examine the contents of a string"
            default: return nil
            }
        }
        guard left.ok, right.ok else { return .fail(.anyBool) }
        if let action = literalUID(lhs), action.isAction, let groups = literalUIDs(rhs) {
            return actionMembership(action, groups)
        }
        if case .entity(let member)? = left.type {
            let container: Name?
            switch right.type {
            case .entity(let name)?: container = name
            case .set(.entity(let name)?)?: container = name
            default: container = nil
            }
            if let container, !index.entityTypes(in: container).contains(member),
                !index.actionMayBeIn(member, container)
            {
                return .success(.alwaysFalse)
            }
        }
        return .success(.anyBool)
    }

    /// The uids `e` denotes when it is an entity literal, the `action` variable, or a set literal of those.
    private func literalUIDs(_ e: Expr) -> [EntityUID]? {
        if let uid = literalUID(e) { return [uid] }
        guard case .set(let elements) = e.kind else { return nil }
        var uids: [EntityUID] = []
        for element in elements {
            guard let uid = literalUID(element) else { return nil }
            uids.append(uid)
        }
        return uids
    }

    /// An action literal `in` entity literals: actions are only ever members of actions, and the schema fixes the
    /// action hierarchy, so the answer is known.
    private func actionMembership(_ action: EntityUID, _ containers: [EntityUID]) -> Answer {
        let groups = containers.filter(\.isAction)
        guard !groups.isEmpty else { return .success(.alwaysFalse) }
        // An undeclared group is reported by `ScopeChecks`.
        guard let members = index.actions(in: groups) else { return .fail(.anyBool) }
        return .success(.singleton(members.contains(action)))
    }
}
