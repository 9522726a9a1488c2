import VigilPolicy

extension ForwardAuthConfig {
    /// Reads `"context": {"name": {source…}, …}`: each field's source is exactly one of `header`, `request`,
    /// `param`, `claim` or `value`, with optional `type`, `required` and (for headers) `item`.
    static func contextFields(_ node: JSONNode, _ path: JSONPath, parameters: [String], _ r: ConfigReader)
        throws(Diagnostics) -> [ContextField]
    {
        guard case .object(let members) = node.value else {
            throw r.fail("type", "expected an object, found \(node.kindName)", node, path)
        }
        var fields: [ContextField] = []
        var seen: Set<String> = []
        for member in members {
            let p = path.key(member.key)
            guard seen.insert(member.key).inserted else {
                throw r.fail("duplicate_key", "key `\(member.key)` appears twice",
                             JSONNode(.null, span: member.keySpan), p)
            }
            guard !member.key.isEmpty else {
                throw r.fail("empty", "a context field needs a name", JSONNode(.null, span: member.keySpan), p)
            }
            fields.append(try contextField(member.key, member.value, p, parameters: parameters, r))
        }
        return fields
    }

    private static func contextField(_ name: String, _ node: JSONNode, _ path: JSONPath, parameters: [String],
                                     _ r: ConfigReader) throws(Diagnostics) -> ContextField {
        let sources = ["header", "request", "param", "claim", "value"]
        let m = try r.object(node, path, allowed: sources + ["type", "entityType", "required", "item"])
        let given = sources.filter { m[$0] != nil }
        guard given.count == 1, let key = given.first, let sourceNode = m[key] else {
            throw r.fail("context_source", "a context field needs exactly one source", node, path,
                         help: "give one of " + sources.map { "`\($0)`" }.joined(separator: ", "))
        }
        let sp = path.key(key)
        let source: ContextField.Source
        switch key {
        case "header":
            var item = ContextField.ListItem.whole
            if let n = m["item"] {
                let text = try r.string(n, path.key("item"))
                guard let i = ContextField.ListItem(rawValue: text) else {
                    throw r.fail("bad_item", "unknown item `\(text)`", n, path.key("item"),
                                 help: "`item` is `whole`, `first` or `last`")
                }
                item = i
            }
            source = .header(try r.nonEmptyString(sourceNode, sp), item: item)
        case "request":
            switch try r.string(sourceNode, sp) {
            case "method": source = .method
            case "path": source = .path
            case "host": source = .host
            case "query": source = .query
            case "now": source = .now
            case let other:
                throw r.fail("bad_request_part", "unknown request part `\(other)`", sourceNode, sp,
                             help: "`request` is `method`, `path`, `host`, `query` or `now`")
            }
        case "param":
            let p = try r.string(sourceNode, sp)
            guard parameters.contains(p) else {
                throw r.fail("unknown_placeholder", "unknown parameter `\(p)`", sourceNode, sp,
                             help: parameters.isEmpty ? "only a route's own context can use its path parameters"
                                 : "the parameters here are " + parameters.map { "`\($0)`" }.joined(separator: ", "))
            }
            source = .parameter(p)
        case "claim":
            source = .claim(try r.nonEmptyString(sourceNode, sp))
        default:
            switch sourceNode.value {
            case .string(let s): source = .constant(.string(s))
            case .integer(let i): source = .constant(.long(i))
            case .bool(let b): source = .constant(.bool(b))
            default:
                throw r.fail("type", "expected a string, an integer or a boolean, found \(sourceNode.kindName)",
                             sourceNode, sp)
            }
        }
        if m["item"] != nil && key != "header" {
            throw r.fail("unknown_key", "`item` applies only to a `header` source", node, path.key("item"))
        }
        var type: ContextField.Kind?
        if let n = m["type"] {
            let text = try r.string(n, path.key("type"))
            guard let k = ContextField.Kind(rawValue: text) else {
                throw r.fail("bad_type", "unknown type `\(text)`", n, path.key("type"),
                             help: "the types are "
                                 + ContextField.Kind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
            }
            type = k
        }
        var entityType: Name?
        if let n = m["entityType"] {
            if m["type"] != nil {
                throw r.fail("duplicate_key", "give `type` or `entityType`, not both", n, path.key("entityType"))
            }
            let text = try r.string(n, path.key("entityType"))
            let parts = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
            guard parts.allSatisfy(CedarIdentifier.isValid), let base = parts.last else {
                throw r.fail("bad_type", "invalid entity type `\(text)`", n, path.key("entityType"))
            }
            entityType = Name(namespace: Array(parts.dropLast()), basename: base)
        }
        let required = try m["required"].map { n throws(Diagnostics) in try r.bool(n, path.key("required")) } ?? false
        let field = ContextField(name: name, source: source, type: type, entityType: entityType, required: required)
        if case .constant(let v) = source, let type, ContextField.convert(v, to: type) == nil {
            throw r.fail("bad_value", "the value is not a valid `\(type.rawValue)`", sourceNode, sp)
        }
        return field
    }
}
