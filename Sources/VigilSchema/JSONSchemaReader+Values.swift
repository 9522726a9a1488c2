import VigilPolicy

// Checked access to JSON values, names, annotations and types for `JSONSchemaReader`. Each accessor reports
// what is wrong and returns `nil`, so the reader carries on and finds the other problems too.
extension JSONSchemaReader {
    struct Member {
        var key: String
        var keySpan: SourceSpan
        var value: JSONNode
    }

    /// Where a type object appears: attribute types may also say `required` and carry `annotations`, common
    /// type definitions may carry `annotations`, other types neither.
    enum TypePosition {
        case plain, attribute, commonType

        var extraFields: [String] {
            switch self {
            case .plain: return []
            case .attribute: return ["required", "annotations"]
            case .commonType: return ["annotations"]
            }
        }
    }

    func origin(_ span: SourceSpan, _ path: JSONPath) -> Origin {
        Origin(span, jsonPath: path.description.isEmpty ? nil : path.description)
    }

    mutating func report(_ code: String, _ message: String, _ span: SourceSpan, _ path: JSONPath, help: String? = nil) {
        problems.append(Diagnostic(code, message, in: file, at: origin(span, path), help: help))
    }

    private mutating func wrongKind(_ node: JSONNode, _ path: JSONPath, what: String, expected: String) {
        report(SchemaCode.jsonWrongKind, "\(what) must be \(expected), found \(node.kindName)", node.span, path)
    }

    // MARK: - Objects, arrays, strings

    /// The members of an object, duplicates reported and dropped; `nil` when `node` is not an object.
    mutating func object(_ node: JSONNode, _ path: JSONPath, what: String) -> [Member]? {
        guard case .object(let list) = node.value else {
            wrongKind(node, path, what: what, expected: "an object")
            return nil
        }
        var seen: Set<String> = []
        var members: [Member] = []
        for m in list {
            guard seen.insert(m.key).inserted else {
                report(SchemaCode.jsonDuplicateKey, "duplicate key `\(m.key)`", m.keySpan, path.key(m.key))
                continue
            }
            members.append(Member(key: m.key, keySpan: m.keySpan, value: m.value))
        }
        return members
    }

    /// An object with a fixed set of fields; unknown fields are reported with the expected ones.
    mutating func fields(_ node: JSONNode, _ path: JSONPath, what: String, allowed: [String]) -> [String: Member]? {
        guard let members = object(node, path, what: what) else { return nil }
        var result: [String: Member] = [:]
        for m in members {
            guard allowed.contains(m.key) else {
                let expected = "expected " + allowed.map { "`\($0)`" }.joined(separator: ", ")
                report(SchemaCode.jsonUnknownField, "unknown field `\(m.key)` in \(what)", m.keySpan, path.key(m.key),
                       help: suggestion(for: m.key, among: allowed) ?? expected)
                continue
            }
            result[m.key] = m
        }
        return result
    }

    /// A field that must be present.
    mutating func require(_ fields: [String: Member], _ key: String, in node: JSONNode, _ path: JSONPath, what: String) -> Member? {
        guard let m = fields[key] else {
            report(SchemaCode.jsonMissingField, "missing field `\(key)` in \(what)", node.span, path)
            return nil
        }
        return m
    }

    mutating func array(_ node: JSONNode, _ path: JSONPath, what: String) -> [JSONNode]? {
        guard case .array(let items) = node.value else {
            wrongKind(node, path, what: what, expected: "an array")
            return nil
        }
        return items
    }

    mutating func string(_ node: JSONNode, _ path: JSONPath, what: String) -> String? {
        guard case .string(let s) = node.value else {
            wrongKind(node, path, what: what, expected: "a string")
            return nil
        }
        return s
    }

    // MARK: - Names

    /// A name being declared: a namespace (`qualified`: `A::B` allowed) or an entity or common type (one
    /// identifier). Neither may use a reserved word or `__cedar`.
    mutating func declaredName(_ text: String, _ span: SourceSpan, _ path: JSONPath, what: String, qualified: Bool) -> Name? {
        if let problem = SchemaNames.problem(inName: text) {
            report(SchemaCode.jsonInvalidName, "invalid \(what) name `\(text)`: \(problem)", span, path)
            return nil
        }
        let name = Name(qualified: text)
        if !qualified, !name.isUnqualified {
            report(SchemaCode.jsonInvalidName, "invalid \(what) name `\(text)`: it cannot contain `::`", span, path,
                   help: "declare it inside the namespace `\(name.namespace.joined(separator: "::"))`")
            return nil
        }
        if name.components.contains(SchemaNames.cedarNamespace) {
            report(SchemaCode.reservedNamespace, "`__cedar` is reserved for Cedar's built-in types", span, path)
            return nil
        }
        return name
    }

    /// A type name referred to (a string holding `A::B::C`).
    mutating func referencedName(_ node: JSONNode, _ path: JSONPath, what: String) -> RawName? {
        guard let text = string(node, path, what: what) else { return nil }
        if let problem = SchemaNames.problem(inName: text) {
            report(SchemaCode.jsonInvalidName, "invalid type name `\(text)`: \(problem)", node.span, path)
            return nil
        }
        return RawName(name: Name(qualified: text), origin: origin(node.span, path))
    }

    /// `{"name": "value" or null, …}`; checked and dropped. Returns whether it was well formed.
    mutating func annotations(_ node: JSONNode, _ path: JSONPath) -> Bool {
        guard let members = object(node, path, what: "`annotations`") else { return false }
        var ok = true
        for m in members {
            if !SchemaNames.isIdentifier(m.key) {
                report(SchemaCode.jsonInvalidName, "invalid annotation name `\(m.key)`", m.keySpan, path.key(m.key))
                ok = false
            }
            if !m.value.isNull, string(m.value, path.key(m.key), what: "an annotation value") == nil { ok = false }
        }
        return ok
    }

    // MARK: - Types

    /// A type object, `{"type": …}`, and for an attribute whether it is required (default `true`).
    mutating func type(_ node: JSONNode, _ path: JSONPath, position: TypePosition, depth: Int) -> (type: RawType, isRequired: Bool)? {
        guard depth <= maxTypeDepth else {
            report(SchemaCode.tooDeep, "types nest more than \(maxTypeDepth) levels deep", node.span, path)
            return nil
        }
        let shapeFields = ["type", "element", "attributes", "additionalAttributes", "name"]
        guard let f = fields(node, path, what: "a type", allowed: shapeFields + position.extraFields),
              let typeMember = require(f, "type", in: node, path, what: "a type"),
              let typeName = string(typeMember.value, path.key("type"), what: "`type`")
        else { return nil }
        var isRequired = true
        if let r = f["required"] {
            if case .bool(let b) = r.value.value { isRequired = b } else {
                wrongKind(r.value, path.key("required"), what: "`required`", expected: "a boolean")
            }
        }
        if let a = f["annotations"] { _ = annotations(a.value, path.key("annotations")) }
        // Fields of the type itself other than `type`: each kind of type allows only its own.
        let allowed: [String]
        switch typeName {
        case "Set": allowed = ["element"]
        case "Record": allowed = ["attributes", "additionalAttributes"]
        case "Entity", "EntityOrCommon", "Extension": allowed = ["name"]
        default: allowed = []
        }
        for key in shapeFields.dropFirst() where f[key] != nil && !allowed.contains(key) {
            report(SchemaCode.jsonUnknownField, "unknown field `\(key)` in a `\(typeName)` type", f[key]?.keySpan ?? node.span,
                   path.key(key), help: allowed.isEmpty ? "this type has no other fields" : "expected `\(allowed.joined(separator: "`, `"))`")
        }
        let here = origin(node.span, path)
        switch typeName {
        case "String": return (RawType(kind: .string, origin: here), isRequired)
        case "Long": return (RawType(kind: .long, origin: here), isRequired)
        case "Boolean": return (RawType(kind: .bool, origin: here), isRequired)
        case "Set":
            guard let e = require(f, "element", in: node, path, what: "a `Set` type"),
                  let element = type(e.value, path.key("element"), position: .plain, depth: depth + 1)
            else { return nil }
            return (RawType(kind: .set(element.type), origin: here), isRequired)
        case "Record":
            return record(f, node, path, depth: depth).map { (RawType(kind: .record($0), origin: here), isRequired) }
        case "Entity", "EntityOrCommon":
            guard let n = require(f, "name", in: node, path, what: "an `\(typeName)` type"),
                  let name = referencedName(n.value, path.key("name"), what: "`name`")
            else { return nil }
            return (RawType(kind: .reference(name, typeName == "Entity" ? .entity : .entityOrCommon), origin: here), isRequired)
        case "Extension":
            guard let n = require(f, "name", in: node, path, what: "an `Extension` type"),
                  let name = string(n.value, path.key("name"), what: "`name`")
            else { return nil }
            guard SchemaNames.isIdentifier(name), !SchemaNames.isReserved(name) else {
                report(SchemaCode.jsonInvalidName, "invalid extension type name `\(name)`", n.value.span, path.key("name"))
                return nil
            }
            // Located at the name, where an unknown extension is reported.
            return (RawType(kind: .extension(name), origin: origin(n.value.span, path.key("name"))), isRequired)
        default:
            // Any other `type` names a common type (or a built-in such as `Bool` or `ipaddr`, which are common
            // types in Cedar's model).
            if let problem = SchemaNames.problem(inName: typeName) {
                report(SchemaCode.jsonInvalidName, "invalid type `\(typeName)`: \(problem)", typeMember.value.span,
                       path.key("type"), help: suggestion(for: typeName, among: ["Boolean", "Entity", "EntityOrCommon", "Extension", "Long", "Record", "Set", "String"]))
                return nil
            }
            let name = RawName(name: Name(qualified: typeName), origin: origin(typeMember.value.span, path.key("type")))
            return (RawType(kind: .reference(name, .common), origin: here), isRequired)
        }
    }

    /// The attributes of a `Record` type; `additionalAttributes: true` is refused, as in Cedar without its
    /// experimental partial validation.
    private mutating func record(_ f: [String: Member], _ node: JSONNode, _ path: JSONPath, depth: Int) -> [RawAttribute]? {
        if let a = f["additionalAttributes"] {
            switch a.value.value {
            case .bool(false): break
            case .bool(true):
                report(SchemaCode.unsupported, "records with `additionalAttributes` are not supported", a.keySpan,
                       path.key("additionalAttributes"), help: "list every attribute and remove `additionalAttributes`")
            default:
                wrongKind(a.value, path.key("additionalAttributes"), what: "`additionalAttributes`", expected: "a boolean")
            }
        }
        guard let m = require(f, "attributes", in: node, path, what: "a `Record` type"),
              let members = object(m.value, path.key("attributes"), what: "`attributes`")
        else { return nil }
        var attributes: [RawAttribute] = []
        for member in members {
            let p = path.key("attributes").key(member.key)
            guard let t = type(member.value, p, position: .attribute, depth: depth + 1) else { continue }
            attributes.append(RawAttribute(name: member.key, type: t.type, isRequired: t.isRequired))
        }
        return attributes
    }
}

extension JSONNode {
    /// `true` for JSON `null`, which, where Cedar allows it, means the field is absent.
    var isNull: Bool {
        if case .null = value { return true }
        return false
    }
}
