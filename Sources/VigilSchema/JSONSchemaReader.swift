import VigilPolicy

/// Reads Cedar's JSON schema format into a `RawSchema`:
/// `{"NS": {"commonTypes": {…}, "entityTypes": {…}, "actions": {…}, "annotations": {…}}}`.
///
/// Every structural problem is collected (wrong kinds, unknown, missing and duplicate fields, malformed names)
/// and reported together, each at the offending value with its JSON path. Annotations are checked and dropped.
struct JSONSchemaReader {
    let file: SourceFile
    var problems: [Diagnostic] = []

    /// Reads a whole JSON schema file.
    /// - Throws: `Diagnostics` with the JSON syntax error, or every structural problem found.
    static func read(_ file: SourceFile) throws(Diagnostics) -> RawSchema {
        let root = try JSON.parse(file)
        var reader = JSONSchemaReader(file: file)
        let schema = reader.schema(root)
        guard reader.problems.isEmpty else { throw Diagnostics(reader.problems) }
        return schema
    }

    private init(file: SourceFile) {
        self.file = file
    }

    private mutating func schema(_ root: JSONNode) -> RawSchema {
        let top = JSONPath()
        guard let members = object(root, top, what: "a JSON schema") else { return RawSchema(namespaces: []) }
        for m in members where ["entityTypes", "actions", "commonTypes"].contains(m.key) {
            report(SchemaCode.jsonMissingNamespace, "`\(m.key)` must be inside a namespace", m.keySpan, top.key(m.key),
                   help: "wrap the definitions in a namespace, `{\"MyApp\": {…}}`, or in `{\"\": {…}}` for the empty namespace")
            return RawSchema(namespaces: [])
        }
        var namespaces: [RawNamespace] = []
        for m in members {
            let path = top.key(m.key)
            var components: [String] = []
            if !m.key.isEmpty {
                guard let name = declaredName(m.key, m.keySpan, path, what: "namespace", qualified: true) else { continue }
                components = name.components
            }
            if let namespace = namespace(m.value, path, components) { namespaces.append(namespace) }
        }
        return RawSchema(namespaces: namespaces)
    }

    private mutating func namespace(_ node: JSONNode, _ path: JSONPath, _ components: [String]) -> RawNamespace? {
        let what = components.isEmpty ? "the empty namespace" : "namespace `\(components.joined(separator: "::"))`"
        guard let f = fields(node, path, what: what, allowed: ["commonTypes", "entityTypes", "actions", "annotations"])
        else { return nil }
        var namespace = RawNamespace(path: components)
        if let a = f["annotations"], annotations(a.value, path.key("annotations")), components.isEmpty,
           case .object(let list) = a.value.value, !list.isEmpty {
            report(SchemaCode.jsonAnnotatedEmptyNamespace, "annotations are not allowed on the empty namespace",
                   a.keySpan, path.key("annotations"))
        }
        if let c = f["commonTypes"], let list = object(c.value, path.key("commonTypes"), what: "`commonTypes`") {
            for m in list {
                let p = path.key("commonTypes").key(m.key)
                guard declaredName(m.key, m.keySpan, p, what: "common type", qualified: false) != nil else { continue }
                if SchemaNames.reservedCommonTypeNames.contains(m.key) {
                    report(SchemaCode.reservedTypeName, "`\(m.key)` is reserved and cannot name a common type", m.keySpan, p)
                    continue
                }
                if let t = type(m.value, p, position: .commonType, depth: 1) {
                    namespace.commonTypes.append(RawCommonType(name: m.key, origin: origin(m.keySpan, p), type: t.type))
                }
            }
        }
        if let e = require(f, "entityTypes", in: node, path, what: what),
           let list = object(e.value, path.key("entityTypes"), what: "`entityTypes`") {
            for m in list {
                let p = path.key("entityTypes").key(m.key)
                guard declaredName(m.key, m.keySpan, p, what: "entity type", qualified: false) != nil,
                      let entity = entityType(m.value, p, name: m.key, keySpan: m.keySpan)
                else { continue }
                namespace.entityTypes.append(entity)
            }
        }
        if let a = require(f, "actions", in: node, path, what: what),
           let list = object(a.value, path.key("actions"), what: "`actions`") {
            for m in list {
                if let action = action(m.value, path.key("actions").key(m.key), name: m.key, keySpan: m.keySpan) {
                    namespace.actions.append(action)
                }
            }
        }
        return namespace
    }

    private mutating func entityType(_ node: JSONNode, _ path: JSONPath, name: String, keySpan: SourceSpan) -> RawEntityType? {
        let what = "entity type `\(name)`"
        guard let f = fields(node, path, what: what, allowed: ["memberOfTypes", "shape", "tags", "enum", "annotations"])
        else { return nil }
        if let a = f["annotations"] { _ = annotations(a.value, path.key("annotations")) }
        var entity = RawEntityType(name: name, origin: origin(keySpan, path), memberOf: [], shape: nil, tags: nil, enumIDs: nil)
        if let e = f["enum"] {
            // An enumerated type has only its ids: Cedar reports the other fields rather than guessing.
            for other in ["memberOfTypes", "shape", "tags"] {
                guard let m = f[other] else { continue }
                report(SchemaCode.jsonEnumWithFields, "an enumerated entity type cannot have `\(other)`", m.keySpan,
                       path.key(other))
            }
            let p = path.key("enum")
            guard let items = array(e.value, p, what: "`enum`") else { return nil }
            if items.isEmpty {
                report(SchemaCode.jsonEmptyEnum, "`enum` must list at least one entity id", e.value.span, p)
            }
            var ids: [String] = []
            for (i, item) in items.enumerated() {
                if let id = string(item, p.index(i), what: "an entity id") { ids.append(id) }
            }
            entity.enumIDs = ids
            return entity
        }
        if let m = f["memberOfTypes"] {
            let p = path.key("memberOfTypes")
            for (i, item) in (array(m.value, p, what: "`memberOfTypes`") ?? []).enumerated() {
                if let parent = referencedName(item, p.index(i), what: "an entity type name") { entity.memberOf.append(parent) }
            }
        }
        if let s = f["shape"] { entity.shape = type(s.value, path.key("shape"), position: .plain, depth: 1)?.type }
        if let t = f["tags"] { entity.tags = type(t.value, path.key("tags"), position: .plain, depth: 1)?.type }
        return entity
    }

    private mutating func action(_ node: JSONNode, _ path: JSONPath, name: String, keySpan: SourceSpan) -> RawAction? {
        let what = "action `\(name)`"
        guard let f = fields(node, path, what: what, allowed: ["attributes", "appliesTo", "memberOf", "annotations"])
        else { return nil }
        if let a = f["annotations"] { _ = annotations(a.value, path.key("annotations")) }
        if let a = f["attributes"], !a.value.isNull {
            report(SchemaCode.unsupported, "action attributes are not supported", a.keySpan, path.key("attributes"),
                   help: "remove `attributes`; describe the request with `appliesTo.context` instead")
        }
        var action = RawAction(name: name, origin: origin(keySpan, path), memberOf: [], appliesTo: nil)
        if let m = f["memberOf"], !m.value.isNull {
            let p = path.key("memberOf")
            for (i, item) in (array(m.value, p, what: "`memberOf`") ?? []).enumerated() {
                if let parent = actionReference(item, p.index(i)) { action.memberOf.append(parent) }
            }
        }
        if let a = f["appliesTo"], !a.value.isNull {
            action.appliesTo = appliesTo(a.value, path.key("appliesTo"), action: name)
        }
        return action
    }

    /// `{"principalTypes": […], "resourceTypes": […], "context": …}`; both lists are required, and may be empty.
    private mutating func appliesTo(_ node: JSONNode, _ path: JSONPath, action: String) -> RawAppliesTo? {
        let what = "`appliesTo` of action `\(action)`"
        guard let f = fields(node, path, what: what, allowed: ["principalTypes", "resourceTypes", "context"]) else { return nil }
        var result = RawAppliesTo(principals: [], resources: [], context: nil)
        for key in ["principalTypes", "resourceTypes"] {
            guard let m = require(f, key, in: node, path, what: what) else { continue }
            let p = path.key(key)
            var names: [RawName] = []
            for (i, item) in (array(m.value, p, what: "`\(key)`") ?? []).enumerated() {
                if let n = referencedName(item, p.index(i), what: "an entity type name") { names.append(n) }
            }
            if key == "principalTypes" { result.principals = names } else { result.resources = names }
        }
        if let c = f["context"] { result.context = type(c.value, path.key("context"), position: .plain, depth: 1)?.type }
        return result
    }

    /// `{"id": "read", "type": "NS::Action"}`, the type optional.
    private mutating func actionReference(_ node: JSONNode, _ path: JSONPath) -> RawActionRef? {
        guard let f = fields(node, path, what: "a parent action", allowed: ["id", "type"]),
              let idMember = require(f, "id", in: node, path, what: "a parent action"),
              let id = string(idMember.value, path.key("id"), what: "an action id")
        else { return nil }
        var type: RawName?
        if let t = f["type"] {
            guard let n = referencedName(t.value, path.key("type"), what: "an action type name") else { return nil }
            type = n
        }
        return RawActionRef(type: type, id: id, origin: origin(node.span, path))
    }
}
