import VigilPolicy

extension Typechecker {
    /// `!a` given the answer for `a`: flips a singleton boolean. Grants no capability.
    func negated(_ operand: Answer) -> Answer {
        operand.then { type, _ in
            switch type {
            case .bool(.alwaysTrue)?: return .success(.alwaysFalse)
            case .bool(.alwaysFalse)?: return .success(.alwaysTrue)
            case nil: return .fail(.anyBool)
            default: return .success(.anyBool)
            }
        }
    }

    /// `a && b`. The right operand is checked knowing the left's capabilities, since it only runs when the left
    /// was `true`; it is not checked at all when the left is always `false`.
    func conjunction(_ lhs: Expr, _ rhs: Expr, _ prior: CapabilitySet) -> Answer {
        expect(lhs, .bool, prior).then { left, leftCapability in
            if case .bool(.alwaysFalse)? = left { return .success(.alwaysFalse) }
            return expect(rhs, .bool, prior.union(leftCapability)).then { right, rightCapability in
                switch (left, right) {
                case (_?, .bool(.alwaysFalse)?): return .success(.alwaysFalse)
                case (let l?, .bool(.alwaysTrue)?): return .success(l, leftCapability.union(rightCapability))
                // Cedar keeps only the right operand's capabilities here; matching it keeps results identical.
                case (.bool(.alwaysTrue)?, let r?): return .success(r, rightCapability)
                case (_?, _?): return .success(.anyBool, leftCapability.union(rightCapability))
                default: return .fail(.anyBool)
                }
            }
        }
    }

    /// `a || b`. The right operand is checked without the left's capabilities (the left may have been `false`),
    /// and not at all when the left is always `true`.
    func disjunction(_ lhs: Expr, _ rhs: Expr, _ prior: CapabilitySet) -> Answer {
        expect(lhs, .bool, prior).then { left, leftCapability in
            if case .bool(.alwaysTrue)? = left { return .success(.alwaysTrue, leftCapability) }
            return expect(rhs, .bool, prior).then { right, rightCapability in
                switch (left, right) {
                case (_?, .bool(.alwaysTrue)?): return .success(.alwaysTrue, rightCapability)
                case (let l?, .bool(.alwaysFalse)?): return .success(l, leftCapability)
                case (.bool(.alwaysFalse)?, let r?): return .success(r, rightCapability)
                case (_?, _?): return .success(.anyBool, rightCapability.intersection(leftCapability))
                default: return .fail(.anyBool)
                }
            }
        }
    }

    /// `if c then a else b`: only the branch that can run is checked when `c` is a singleton; otherwise both, and
    /// the result is their least upper bound.
    func conditional(_ test: Expr, _ then: Expr, _ otherwise: Expr, _ e: Expr, _ prior: CapabilitySet) -> Answer {
        expect(test, .bool, prior).then { testType, testCapability in
            switch testType {
            case .bool(.alwaysTrue)?:
                return typecheck(then, prior.union(testCapability)).then { type, capability in
                    guard let type else { return .fail(nil) }
                    return .success(type, capability.union(testCapability))
                }
            case .bool(.alwaysFalse)?:
                return typecheck(otherwise, prior).then { type, capability in
                    guard let type else { return .fail(nil) }
                    return .success(type, capability)
                }
            default:
                var thenAnswer = typecheck(then, prior.union(testCapability))
                if thenAnswer.ok { thenAnswer.capability = thenAnswer.capability.union(testCapability) }
                let elseAnswer = typecheck(otherwise, prior)
                return thenAnswer.then { thenType, thenCapability in
                    elseAnswer.then { elseType, elseCapability in
                        guard let lub = leastUpperBound([thenType, elseType], .conditional, at: e.span) else {
                            return .fail(nil)
                        }
                        return .success(lub, elseCapability.intersection(thenCapability))
                    }
                }
            }
        }
    }
}
