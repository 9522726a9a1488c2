import VigilPolicy
import VigilSchema

/// Decodes Cedar's JSON value syntax into `Value`s, reporting every problem with its JSON path and span.
///
/// Without an expected type this is Cedar's `CedarValueJson` (cedar-policy-core/src/entities/json/value.rs):
/// `true`/`false` are bools, integers are `Long`s (any other number is an error), strings are strings, arrays are
/// sets, and objects are records, except three escapes, each recognised only when the object has exactly that
/// one key:
/// - `{"__entity": {"type": "User", "id": "alice"}}` is an entity reference (the inner object needs both string
///   fields and may carry others, which are ignored);
/// - `{"__extn": {"fn": "ip", "arg": "10.0.0.1"}}` or `{"__extn": {"fn": "offset", "args": [x, y]}}` calls an
///   extension function, any function of the registry, not only constructors;
/// - `{"__expr": "…"}` is the escape Cedar removed in 3.0 and is an error.
/// An object that has such a key but not the escape's shape is an ordinary record, as in Cedar.
///
/// With an expected type (from a schema) the rules are those of Cedar's schema-based parsing plus its conformance
/// check: see `value(_:expected:_:)`.
struct ValueDecoder {
    /// The schema, for checking enumerated entity ids and action uids; `nil` when parsing without one.
    let schema: Schema?
    var sink: DiagnosticSink

    init(file: SourceFile, schema: Schema?) {
        self.schema = schema
        self.sink = DiagnosticSink(file: file)
    }

    // MARK: - Without an expected type

    /// Decodes `node` by Cedar's schema-less rules; `nil` after reporting at least one error.
    mutating func plain(_ node: JSONNode, _ path: JSONPath) -> Value? {
        switch node.value {
        case .null:
            sink.error("vigil.data.null", "`null` is not a Cedar value", at: node.span, path: path,
                       help: "leave an optional attribute out instead of setting it to `null`")
            return nil
        case .bool(let b):
            return .bool(b)
        case .integer(let n):
            return .long(n)
        case .number(let text):
            invalidNumber(text, node, path)
            return nil
        case .string(let s):
            return .string(s)
        case .array(let items):
            var out: Set<Value> = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let v = plain(item, path.index(i)) { out.insert(v) } else { ok = false }
            }
            return ok ? .set(out) : nil
        case .object:
            let members = uniqueMembers(node, path)
            if members.count == 1 {
                let (key, _, inner) = members[0]
                switch key {
                case "__entity" where (inner.members?.count ?? 0) >= 2 && inner["type"]?.string != nil
                    && inner["id"]?.string != nil:
                    return typeAndID(inner, path.key(key)).map(Value.entity)
                case "__extn":
                    if (inner.members?.count ?? 0) >= 2, let call = functionAndArguments(inner) {
                        return self.call(call, directed: false, inner, path.key(key))
                    }
                case "__expr" where inner.string != nil:
                    exprEscape(node, path)
                    return nil
                default:
                    break
                }
            }
            var out: [String: Value] = [:]
            var ok = true
            for (key, _, value) in members {
                if let v = plain(value, path.key(key)) { out[key] = v } else { ok = false }
            }
            return ok ? .record(out) : nil
        }
    }

    // MARK: - Entity references

    /// Decodes an entity reference as Cedar's `EntityUidJson` does: `{"__entity": {"type", "id"}}` or the bare
    /// `{"type", "id"}` form (extra members are ignored in both). Used for `uid`, `parents`, template-link values
    /// and wherever a schema expects an entity.
    mutating func entityUID(_ node: JSONNode, _ path: JSONPath, expectedType: Name? = nil) -> EntityUID? {
        if node.members != nil {
            if node["__expr"]?.string != nil {
                exprEscape(node, path)
                return nil
            }
            if let inner = node["__entity"], inner["type"]?.string != nil, inner["id"]?.string != nil {
                return typeAndID(inner, path.key("__entity"))
            }
            if node["type"]?.string != nil, node["id"]?.string != nil {
                return typeAndID(node, path)
            }
        }
        let example = "{\"type\": \"\(expectedType?.description ?? "User")\", \"id\": \"alice\"}"
        let what = expectedType.map { "an entity reference of type `\($0)`" } ?? "an entity reference"
        var help = "write it as `\(example)`"
        if let s = node.string, s.contains("::") { help += "; the Cedar syntax `\(s)` is not accepted in JSON" }
        sink.error("vigil.data.expected_entity", "expected \(what), found \(node.kindWithArticle)", at: node.span,
                   path: path, help: help)
        return nil
    }

    /// The uid in an object whose `type` and `id` members are strings; reports an invalid type name.
    private mutating func typeAndID(_ node: JSONNode, _ path: JSONPath) -> EntityUID? {
        guard let typeNode = node["type"], let typeText = typeNode.string, let id = node["id"]?.string else {
            return nil
        }
        // Cedar parses the type with `Name::from_normalized_str`, which also refuses the `__cedar` namespace.
        guard let name = Name(normalized: typeText), !name.components.contains("__cedar") else {
            sink.error("vigil.data.invalid_type_name", "`\(typeText)` is not a valid entity type name",
                       at: typeNode.span, path: path.key("type"),
                       help: "a type name is identifiers joined by `::`, with no spaces, such as `App::User`")
            return nil
        }
        return EntityUID(type: name, id: id)
    }

    // MARK: - Extension calls

    /// A function name and its argument nodes, from an object with a string `fn` and either `arg` (one argument)
    /// or an array `args`: Cedar's `FnAndArgs`. Other members are ignored, as in Cedar.
    struct FunctionCall {
        var name: String
        var nameNode: JSONNode
        var arguments: [JSONNode]
    }

    func functionAndArguments(_ node: JSONNode) -> FunctionCall? {
        guard let fnNode = node["fn"], let name = fnNode.string else { return nil }
        if let arg = node["arg"] { return FunctionCall(name: name, nameNode: fnNode, arguments: [arg]) }
        if let args = node["args"]?.elements { return FunctionCall(name: name, nameNode: fnNode, arguments: args) }
        return nil
    }

    /// Evaluates an extension call. With `directed`, arguments are decoded against the function's parameter types,
    /// so they too may use the implicit forms a schema allows (a bare string for a `datetime` argument).
    mutating func call(_ c: FunctionCall, directed: Bool, _ node: JSONNode, _ path: JSONPath) -> Value? {
        if c.name == "unknown" {
            sink.error("vigil.data.unknown_value", "`unknown(…)` values are not supported", at: node.span,
                       path: path, help: "Vigil evaluates concrete requests only; give the value itself")
            return nil
        }
        guard let f = Extensions.functions[c.name] else {
            sink.error("vigil.data.unknown_function", "`\(c.name)` is not an extension function",
                       at: c.nameNode.span, path: path.key("fn"),
                       help: suggestion(for: c.name, among: Extensions.functions.keys))
            return nil
        }
        guard c.arguments.count == f.arguments.count else {
            let message = ExtensionCallError.wrongArgumentCount(
                function: c.name, expected: f.arguments.count, found: c.arguments.count).message
            sink.error("vigil.data.extension_arity", message, at: node.span, path: path)
            return nil
        }
        let argPath = { (i: Int) -> JSONPath in c.arguments.count == 1 && node["arg"] != nil
            ? path.key("arg") : path.key("args").index(i) }
        var args: [Value] = []
        for (i, (argNode, type)) in zip(c.arguments, f.arguments).enumerated() {
            let v = directed ? value(argNode, expected: SchemaType(type), argPath(i)) : plain(argNode, argPath(i))
            guard let v else { return nil }
            args.append(v)
        }
        switch Extensions.call(c.name, args) {
        case .success(let v):
            return v
        case .failure(let e):
            switch e {
            case .wrongArgumentType(_, let i, _, _):
                sink.error("vigil.data.extension_argument_type", e.message, at: c.arguments[i].span, path: argPath(i),
                           help: f.isConstructor ? Extensions.formatHelp(constructor: c.name) : nil)
            case .invalidArgument:
                sink.error("vigil.data.invalid_extension_value", e.message, at: c.arguments[0].span,
                           path: argPath(0), help: Extensions.formatHelp(constructor: c.name))
            case .overflow:
                sink.error("vigil.data.extension_overflow", e.message, at: node.span, path: path)
            case .unknownFunction, .wrongArgumentCount:
                // INVARIANT: both were ruled out above.
                sink.error("vigil.data.unknown_function", e.message, at: node.span, path: path)
            }
            return nil
        }
    }

    // MARK: - Shared reports

    /// The members of an object, reporting any key that appears twice (Cedar refuses duplicate keys anywhere in
    /// entity and context JSON); the first occurrence is kept.
    mutating func uniqueMembers(_ node: JSONNode, _ path: JSONPath) -> [JSONMember] {
        guard let members = node.members else { return [] }
        var seen: Set<String> = []
        var out: [JSONMember] = []
        for m in members {
            if seen.insert(m.key).inserted {
                out.append(m)
            } else {
                sink.error("vigil.data.duplicate_key", "duplicate key `\(m.key)`", at: m.keySpan, path: path.key(m.key))
            }
        }
        return out
    }

    mutating func invalidNumber(_ text: String, _ node: JSONNode, _ path: JSONPath) {
        sink.error("vigil.data.invalid_number", "`\(text)` is not a Cedar `Long`", at: node.span, path: path,
                   help: "Cedar numbers are integers from -9223372036854775808 to 9223372036854775807; "
                       + "use a `decimal` for fractions")
    }

    mutating func exprEscape(_ node: JSONNode, _ path: JSONPath) {
        sink.error("vigil.data.expr_escape", "the `__expr` escape is not supported", at: node.span, path: path,
                   help: "Cedar removed `__expr` in version 3; use `__entity` or `__extn`")
    }
}

extension SchemaType {
    /// The schema type of an extension-signature type.
    init(_ t: ExtensionArgumentType) {
        switch t {
        case .bool: self = .bool
        case .long: self = .long
        case .string: self = .string
        case .ipaddr, .decimal, .datetime, .duration: self = .extension(t.rawValue)
        }
    }
}
