import VigilPolicy

extension Typechecker {
    /// `[a, b, …]`: the elements need a common type; strict mode forbids `[]`, whose element type is unknown.
    func setLiteral(_ elements: [Expr], _ e: Expr, _ prior: CapabilitySet) -> Answer {
        Answer.all(elements.map { typecheck($0, prior) }) { types in
            let lub = leastUpperBound(types, .set, at: e.span)
            guard !elements.isEmpty else {
                sink.error("empty_set", "empty set literals are forbidden in policies", at: e.span)
                return .fail(nil)
            }
            guard let lub else { return .fail(nil) }
            return .success(.set(lub))
        }
    }

    /// `{a: x, …}`: a closed record whose attributes are all required.
    func recordLiteral(_ fields: [(String, Expr)], _ prior: CapabilitySet) -> Answer {
        Answer.all(fields.map { typecheck($0.1, prior) }) { types in
            var attributes: [String: RecordShape.Attribute] = [:]
            for ((name, _), type) in zip(fields, types) {
                guard let type else { return .fail(nil) }
                attributes[name] = RecordShape.Attribute(type: type, isRequired: true)
            }
            return .success(.record(RecordShape(attributes: attributes)))
        }
    }

    /// `receiver.name(args)`: the built-in set and tag methods, else an extension method whose first argument is
    /// the receiver.
    func method(_ receiver: Expr, _ name: String, _ args: [Expr], _ e: Expr, _ prior: CapabilitySet) -> Answer {
        guard let arity = Extensions.builtinMethods[name] else {
            return extensionCall(name, [receiver] + args, e, prior)
        }
        guard args.count == arity else {
            wrongArgumentCount(expected: arity + 1, actual: args.count + 1, at: e.span)
            for a in [receiver] + args { _ = typecheck(a, prior) }
            return .fail(nil)
        }
        switch name {
        case "contains":
            return expect(receiver, .set, prior, help: setOperandHelp).then { setType, _ in
                typecheck(args[0], prior).then { elementType, _ in
                    strictlyComparable(setType?.setElement, elementType, .anyBool, .contains, at: e.span)
                }
            }
        case "containsAll", "containsAny":
            return expect(receiver, .set, prior, help: setOperandHelp).then { leftType, _ in
                let single = "try using `contains` to test if a single element is in a set"
                return expect(args[0], .set, prior, help: { _ in single }).then { rightType, _ in
                    strictlyComparable(leftType, rightType, .anyBool, .containsAnyAll, at: e.span)
                }
            }
        case "isEmpty":
            return expect(receiver, .set, prior) { actual in
                if case .string = actual { return #"try using `== ""` to test if a string is empty"# }
                return nil
            }.then { _, _ in .success(.anyBool) }
        case "hasTag": return hasTag(receiver, args[0], prior)
        default: return getTag(receiver, args[0], e, prior)
        }
    }

    private func setOperandHelp(_ actual: ValueType) -> String? {
        switch actual {
        case .entity, .anyEntity: return "try using `in` for entity hierarchy membership"
        case .record: return "try using `has` to test for an attribute"
        case .string: return "try using `like` to examine the contents of a string"
        default: return nil
        }
    }

    func wrongArgumentCount(expected: Int, actual: Int, at span: SourceSpan) {
        sink.error(
            "wrong_argument_count",
            "wrong number of arguments in extension function application: expected \(expected), got \(actual)",
            at: span)
    }
}
