import VigilPolicy
import VigilSchema

extension ValueDecoder {
    /// Decodes `node` as a value of the expected schema type, with Cedar's schema-based parsing
    /// (`ValueParser::val_into_restricted_expr`) and its conformance check (`typecheck_restricted_expr_against_
    /// schematype`, `validate_euids_in_partial_value`) done in one pass:
    /// - an entity type accepts `{"type", "id"}` as well as the `__entity` escape, and the entity's type must be
    ///   the expected one;
    /// - an extension type accepts a bare string (`"10.0.0.1"` where the schema says `ipaddr`), which goes through
    ///   that type's constructor, as well as `{"fn", "arg"}` and the `__extn` escape; the result must have the type;
    /// - a set needs an array and decodes its elements against the element type;
    /// - a record needs an object with every required attribute and no undeclared one;
    /// - `Bool`, `Long` and `String` take the plain form, which must then have that type;
    /// - with a schema, an entity of an enumerated type must use a declared id and an action must be declared.
    /// With no expected type, this is `plain(_:_:)`.
    mutating func value(_ node: JSONNode, expected: SchemaType?, _ path: JSONPath) -> Value? {
        guard let expected else { return plain(node, path) }
        switch expected {
        case .entity(let type):
            guard let uid = entityUID(node, path, expectedType: type) else { return nil }
            guard uid.type == type else {
                mismatch(expected, found: "`\(uid)`", node, path)
                return nil
            }
            return checkDeclared(uid, node, path) ? .entity(uid) : nil
        case .extension(let typeName):
            return extensionValue(node, typeName: typeName, path)
        case .set(let element):
            guard let items = node.elements else {
                mismatch(expected, found: node.kindWithArticle, node, path)
                return nil
            }
            var out: Set<Value> = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let v = value(item, expected: element, path.index(i)) { out.insert(v) } else { ok = false }
            }
            return ok ? .set(out) : nil
        case .record(let type):
            return record(node, type: type, owner: "this record", path).map(Value.record)
        case .bool, .long, .string:
            guard let v = plain(node, path) else { return nil }
            switch (v, expected) {
            case (.bool, .bool), (.long, .long), (.string, .string):
                return v
            default:
                mismatch(expected, found: "`\(brief(v))` of type `\(v.typeName)`", node, path)
                return nil
            }
        }
    }

    /// Decodes an object against a closed record type. `owner` names the record in messages ("entity type
    /// `User`", "the context of `Action::\"view\"`").
    /// - Returns: the fields, or `nil` after reporting every missing, undeclared or ill-typed attribute.
    mutating func record(_ node: JSONNode, type: RecordType, owner: String, _ path: JSONPath) -> [String: Value]? {
        guard node.members != nil else {
            mismatch(.record(type), found: node.kindWithArticle, node, path)
            return nil
        }
        var out: [String: Value] = [:]
        var ok = true
        for (key, keySpan, valueNode) in uniqueMembers(node, path) {
            guard let declared = type.attributes[key] else {
                sink.error("vigil.data.unexpected_attribute", "\(owner) has no attribute `\(key)`", at: keySpan,
                           path: path.key(key), help: suggestion(for: key, among: type.attributes.keys))
                ok = false
                continue
            }
            if let v = value(valueNode, expected: declared.type, path.key(key)) { out[key] = v } else { ok = false }
        }
        for (key, declared) in type.attributes.sorted(by: { $0.key < $1.key })
        where declared.isRequired && node[key] == nil {
            sink.error("vigil.data.missing_attribute", "\(owner) requires attribute `\(key)`, which is missing",
                       at: node.span, path: path, help: "`\(key)` has type `\(declared.type)`")
            ok = false
        }
        return ok ? out : nil
    }

    /// Cedar's `validate_euid`: an entity of an enumerated type must use one of the declared ids, and an action
    /// must be declared. Does nothing without a schema.
    mutating func checkDeclared(_ uid: EntityUID, _ node: JSONNode, _ path: JSONPath) -> Bool {
        guard let schema else { return true }
        if let ids = schema.entityTypes[uid.type]?.enumIDs, !ids.contains(uid.id) {
            sink.error("vigil.data.invalid_enum_id", "`\(uid)` is not one of the declared values of `\(uid.type)`",
                       at: node.span, path: path,
                       help: "the values are " + ids.map { CedarString.quote($0) }.joined(separator: ", "))
            return false
        }
        if uid.isAction && schema.actions[uid] == nil {
            sink.error("vigil.data.undeclared_action", "action `\(uid)` is not declared in the schema",
                       at: node.span, path: path, help: actionSuggestion(for: uid, in: schema))
            return false
        }
        return true
    }

    /// Cedar's `ExtnValueJson` for an expected extension type: the `__expr` escape (an error), the `__extn` escape,
    /// a bare `{"fn", "arg"}`, or anything else as the single argument of the type's constructor.
    private mutating func extensionValue(_ node: JSONNode, typeName: String, _ path: JSONPath) -> Value? {
        let expected = SchemaType.extension(typeName)
        var result: Value?
        if node.members != nil, node["__expr"]?.string != nil {
            exprEscape(node, path)
            return nil
        } else if let inner = node["__extn"], let c = functionAndArguments(inner) {
            result = call(c, directed: true, inner, path.key("__extn"))
        } else if node.members != nil, let c = functionAndArguments(node) {
            result = call(c, directed: true, node, path)
        } else if let constructor = Extensions.functions.values.first(where: {
            $0.isConstructor && $0.result.rawValue == typeName
        }) {
            // The implicit constructor: Cedar decodes the argument as a plain value, then applies the function.
            guard let arg = plain(node, path) else { return nil }
            guard case .string(let s) = arg else {
                mismatch(expected, found: "`\(brief(arg))` of type `\(arg.typeName)`", node, path,
                         help: Extensions.formatHelp(constructor: constructor.name))
                return nil
            }
            guard let v = Value.construct(constructor.name, s) else {
                sink.error("vigil.data.invalid_extension_value",
                           ExtensionCallError.invalidArgument(function: constructor.name, argument: s).message,
                           at: node.span, path: path, help: Extensions.formatHelp(constructor: constructor.name))
                return nil
            }
            result = v
        } else {
            mismatch(expected, found: node.kindWithArticle, node, path)
            return nil
        }
        guard let result else { return nil }
        guard let t = ExtensionArgumentType(rawValue: typeName), result.hasType(t) else {
            mismatch(expected, found: "`\(brief(result))` of type `\(result.typeName)`", node, path)
            return nil
        }
        return result
    }

    /// Reports a value whose type differs from the schema's.
    mutating func mismatch(
        _ expected: SchemaType, found: String, _ node: JSONNode, _ path: JSONPath, help: String? = nil
    ) {
        sink.error("vigil.data.type_mismatch", "type mismatch: expected `\(expected)`, found \(found)",
                   at: node.span, path: path, help: help)
    }
}
