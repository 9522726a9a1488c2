import VigilPolicy

extension Typechecker {
    /// The declared attributes of an entity or record type; `nil` for "any entity", whose attributes are unknown.
    private func attributes(of type: ValueType) -> RecordShape? {
        switch type {
        case .record(let shape): return shape
        case .entity(let name): return index.attributes(of: name)
        default: return nil
        }
    }

    /// Whether a value of `type` might have attribute `name` although the type does not declare it.
    private func mayHaveAttribute(_ type: ValueType, _ name: String) -> Bool {
        switch type {
        case .never, .anyEntity: return true
        case .record(let shape): return shape.isOpen || shape.attributes[name] != nil
        case .entity(let entity): return index.attributes(of: entity).attributes[name] != nil
        default: return false
        }
    }

    /// `e.name`: the attribute must be declared, and if optional, known present from a guard.
    func getAttribute(_ target: Expr, _ name: String, _ e: Expr, _ prior: CapabilitySet) -> Answer {
        expect(target, .entityOrRecord, prior).then { targetType, _ in
            guard let targetType else { return .fail(nil) }
            guard let attribute = attributes(of: targetType)?.attributes[name] else {
                let known = attributes(of: targetType).map { Array($0.attributes.keys).sorted() } ?? []
                let suggestion = closestMatch(to: name, among: known)
                sink.error(
                    "attribute_not_found", "attribute \(describeAccess(target, targetType, name)) not found",
                    at: e.span, help: suggestion.map { "did you mean `\($0)`?" })
                return .fail(nil)
            }
            guard attribute.isRequired || prior.contains(.attribute(on: target, name: name)) else {
                let access = describeAccess(target, targetType, name)
                sink.error(
                    "unsafe_optional_attribute", "unable to guarantee safety of access to optional attribute \(access)",
                    at: e.span,
                    help: "try testing for the attribute's presence with `\(guardSuggestion(target, name)) && ..`")
                return .fail(attribute.type)
            }
            return .success(attribute.type)
        }
    }

    /// `e has a.b.c`, which Cedar reads as `e has a && e.a has b && e.a.b has c`.
    func hasAttributePath(_ target: Expr, _ path: [String], _ e: Expr, _ prior: CapabilitySet) -> Answer {
        guard let first = path.first else { return .fail(.anyBool) }
        guard path.count > 1 else { return hasAttribute(target, first, prior) }
        var tests = Expr(.hasAttribute(target, [first]), span: e.span)
        var prefix = target
        for (previous, next) in zip(path, path.dropFirst()) {
            prefix = Expr(.getAttribute(prefix, previous), span: e.span)
            tests = Expr(.binary(.and, tests, Expr(.hasAttribute(prefix, [next]), span: e.span)), span: e.span)
        }
        return typecheck(tests, prior)
    }

    /// `e has name`: `true` on a record that requires it or where a guard already proved it, `false` where the
    /// type cannot have it; grants the capability to read it.
    private func hasAttribute(_ target: Expr, _ name: String, _ prior: CapabilitySet) -> Answer {
        let checked = expect(target, .entityOrRecord, prior) { actual in
            switch actual {
            case .set: return "try using `contains` to test if a single element is in a set"
            case .string: return "try using `like` to examine the contents of a string"
            default: return nil
            }
        }
        return checked.then { targetType, _ in
            guard let targetType else { return .fail(.anyBool) }
            let capability = Capability.attribute(on: target, name: name)
            let known = prior.contains(capability)
            guard let attribute = attributes(of: targetType)?.attributes[name] else {
                return .success(mayHaveAttribute(targetType, name) ? .anyBool : .alwaysFalse)
            }
            // An entity that is missing from the store has no attributes, so even a required attribute may be
            // absent; a record value always has its required attributes.
            var isRecord = false
            if case .record = targetType { isRecord = true }
            let alwaysPresent = known || (attribute.isRequired && isRecord)
            return .success(alwaysPresent ? .alwaysTrue : .anyBool, CapabilitySet([capability]))
        }
    }

    /// `e is T`: `true` or `false` as the entity type of `e` is or is not `T`.
    func isType(_ target: Expr, _ type: Name, _ prior: CapabilitySet) -> Answer {
        expect(target, .entity, prior) { _ in "Cedar only supports run time type tests for entities" }.then { t, _ in
            switch t {
            case .entity(let actual)?: return .success(.singleton(actual == type))
            case .anyEntity?: return .success(.anyBool)
            default: return .fail(.anyBool)
            }
        }
    }

    /// The tag value types an entity of `type` may carry (none for a type without `tags`).
    private func tagTypes(_ type: ValueType) -> [ValueType] {
        switch type {
        case .entity(let name): return index.tagTypes[name].map { [$0] } ?? []
        case .anyEntity: return Array(Set(index.tagTypes.values))
        default: return []
        }
    }

    /// `e.hasTag(k)`: `false` on a type without tags; grants the capability to read tag `k`.
    func hasTag(_ target: Expr, _ key: Expr, _ prior: CapabilitySet) -> Answer {
        expect(target, .entity, prior).then { targetType, _ in
            expect(key, .string, prior).then { _, _ in
                guard let targetType else { return .fail(nil) }
                let capability = Capability.tag(on: target, tag: key)
                let type: ValueType
                if tagTypes(targetType).isEmpty {
                    type = .alwaysFalse
                } else {
                    type = prior.contains(capability) ? .alwaysTrue : .anyBool
                }
                return .success(type, CapabilitySet([capability]))
            }
        }
    }

    /// `e.getTag(k)`: needs a guard `e.hasTag(k)` and a type with `tags`.
    func getTag(_ target: Expr, _ key: Expr, _ e: Expr, _ prior: CapabilitySet) -> Answer {
        expect(target, .entity, prior).then { targetType, _ in
            expect(key, .string, prior).then { _, _ in
                guard let targetType else { return .fail(nil) }
                guard prior.contains(.tag(on: target, tag: key)) else {
                    let on = targetType.entityName.map { " on entity type `\($0)`" } ?? ""
                    sink.error(
                        "unsafe_tag_access", "unable to guarantee safety of access to tag `\(describe(key))`\(on)",
                        at: e.span,
                        help: "try testing for the tag's presence with "
                            + "`\(describeOperand(target)).hasTag(\(describe(key))) && ..`")
                    return .fail(nil)
                }
                let types = tagTypes(targetType)
                guard !types.isEmpty else {
                    let which = targetType.entityName.map { "type `\($0)`" } ?? "this type"
                    sink.error(
                        "no_tags_allowed",
                        "`.getTag()` is not allowed on entities of \(which) because no `tags` were declared on the "
                            + "entity type in the schema", at: e.span)
                    return .fail(nil)
                }
                guard let lub = leastUpperBound(types, .getTag, at: e.span) else { return .fail(nil) }
                return .success(lub)
            }
        }
    }

    // MARK: - Wording

    /// Cedar's description of an attribute access: the chain of attributes and what they were read from.
    private func describeAccess(_ target: Expr, _ targetType: ValueType, _ name: String) -> String {
        var names = [name]
        var base = target
        var baseType: ValueType? = targetType
        while true {
            if baseType == nil, case .variable(let v) = base.kind, v != .context {
                baseType = v == .principal ? .entity(env.principal)
                    : v == .resource ? .entity(env.resource) : .entity(env.action.type)
            }
            if case .entity(let entity)? = baseType {
                return "`\(chain(names.reversed()))` on entity type `\(entity)`"
            }
            if case .variable(.context) = base.kind {
                return "`\(chain(names.reversed()))` in context for \(env.action)"
            }
            guard case .getAttribute(let inner, let innerName) = base.kind else { break }
            names.append(innerName)
            base = inner
            baseType = nil
        }
        return "`\(chain(names.reversed()))`"
    }

    /// An attribute chain as Cedar writes it: `a.b`, `["my key"].b`.
    private func chain(_ names: some Sequence<String>) -> String {
        var out = ""
        for name in names {
            if CedarIdentifier.isBare(name) {
                out += (out.isEmpty ? "" : ".") + name
            } else {
                out += "[\(CedarString.quote(name))]"
            }
        }
        return out
    }

    /// The guard to suggest for an unguarded optional attribute: `principal.profile has nick`.
    private func guardSuggestion(_ target: Expr, _ name: String) -> String {
        "\(describeOperand(target)) has \(attributeName(name))"
    }

    /// `describe(e)`, parenthesized unless `e` binds tighter than any operator.
    private func describeOperand(_ e: Expr) -> String {
        switch e.kind {
        case .literal, .variable, .slot, .getAttribute, .set, .record, .method, .call: return describe(e)
        default: return "(\(describe(e)))"
        }
    }

    /// An expression as written in Cedar, on one line, for messages.
    private func describe(_ e: Expr) -> String {
        PolicyFormatter.format(e).split(whereSeparator: \.isNewline)
            .map { $0.trimmingPrefix(while: \.isWhitespace) }.joined(separator: " ")
    }
}
