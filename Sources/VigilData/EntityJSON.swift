import VigilPolicy
import VigilSchema

/// Reads Cedar's entities JSON: an array of
/// `{"uid": {"type": "User", "id": "alice"}, "attrs": {…}, "parents": [uids], "tags": {…}}`.
///
/// Follows `EntityJsonParser` and `Entities::from_entities` in cedar-policy-core/src/entities{.rs,/json/
/// entities.rs}: `uid`, `attrs` and `parents` are required, `tags` is optional, other members are ignored; uids
/// may use the bare `{"type", "id"}` form or the `__entity` escape; attribute and tag values use Cedar's JSON value
/// syntax (see `ValueDecoder`). An action's parents must be actions. The same uid may appear twice only with
/// identical contents, and the parent relation may not have a cycle.
///
/// With a schema, each non-action entity must conform as in Cedar's `EntitySchemaConformanceChecker`: its type is
/// declared (and, for an enumerated type, its id is one of the values), its attributes match the declared record
/// (values parsed by the schema's types, so `"10.0.0.1"` becomes an `ipaddr` where the schema says so), tags are
/// allowed and typed, and each parent's type is one the type may be a member of, directly or transitively. An
/// action listed in the JSON must be declared and match its declaration (no attributes or tags, the same
/// ancestors). The schema's actions are added to the result, as Cedar adds them.
public enum EntityJSON {
    /// Parses an entities file.
    /// - Parameters:
    ///   - file: the JSON text.
    ///   - schema: when given, entities are parsed by its types and checked against it, and its actions are added.
    /// - Returns: the entities in file order (identical duplicates once), then the schema's actions not listed.
    /// - Throws: `Diagnostics` with every problem found, each with the JSON path and span of the offending value.
    public static func parse(_ file: SourceFile, schema: Schema?) throws(Diagnostics) -> [Entity] {
        try parse(JSON.parse(file), in: file, schema: schema)
    }

    /// Parses entities from an already parsed JSON array, such as part of a larger request body.
    /// - Parameters:
    ///   - root: the array of entities.
    ///   - file: the document `root` was parsed from, for diagnostics.
    ///   - schema: as for `parse(_:schema:)`.
    /// - Throws: `Diagnostics` with every problem found.
    public static func parse(_ root: JSONNode, in file: SourceFile, schema: Schema?) throws(Diagnostics) -> [Entity] {
        var reader = EntitiesReader(file: file, schema: schema)
        let entities = reader.read(root)
        try reader.decoder.sink.check()
        return entities
    }
}

/// One entity as read, with the nodes later checks point at.
struct ReadEntity {
    var entity: Entity
    var path: JSONPath
    var uidNode: JSONNode
    /// The node of each parent reference, for hierarchy errors.
    var parentNodes: [EntityUID: (node: JSONNode, path: JSONPath)]
}

/// The state of one entities-file read.
struct EntitiesReader {
    var decoder: ValueDecoder
    let schema: Schema?
    /// Allowed ancestor types per entity type, computed on first use.
    private var allowedAncestorTypes: [Name: Set<Name>] = [:]

    init(file: SourceFile, schema: Schema?) {
        self.decoder = ValueDecoder(file: file, schema: schema)
        self.schema = schema
    }

    mutating func read(_ root: JSONNode) -> [Entity] {
        guard let items = root.elements else {
            decoder.sink.error("vigil.data.expected_array", "entities JSON must be an array of entities, found "
                + root.kindWithArticle, at: root.span, path: .root)
            return []
        }
        var read: [ReadEntity] = []
        for (i, item) in items.enumerated() {
            if let e = entity(item, JSONPath.root.index(i)) { read.append(e) }
        }
        let unique = removeDuplicates(read)
        let hierarchy = EntityHierarchyCheck(entities: unique, schema: schema)
        hierarchy.reportCycles(into: &decoder.sink)
        hierarchy.checkActions(into: &decoder.sink)
        return hierarchy.withSchemaActions()
    }

    /// Reads one entity object; `nil` when its uid is unusable (other errors are recorded but the entity is still
    /// returned, so hierarchy checks can run).
    private mutating func entity(_ node: JSONNode, _ path: JSONPath) -> ReadEntity? {
        guard node.members != nil else {
            decoder.sink.error("vigil.data.expected_object", "expected an entity object, found " + node.kindWithArticle,
                               at: node.span, path: path)
            return nil
        }
        let members = decoder.uniqueMembers(node, path)
        func field(_ name: String) -> JSONNode? { members.first { $0.key == name }?.value }
        guard let uidNode = required("uid", field("uid"), node, members, path),
              let uid = decoder.entityUID(uidNode, path.key("uid"))
        else { return nil }

        // The schema's description of this entity's type; `nil` for actions and without a schema.
        var definition: EntityTypeDefinition?
        if let schema, !uid.isAction {
            guard let def = schema.entityTypes[uid.type] else {
                decoder.sink.error("vigil.data.unknown_entity_type",
                                   "entity type `\(uid.type)` is not declared in the schema",
                                   at: (uidNode["type"] ?? uidNode["__entity"]?["type"] ?? uidNode).span,
                                   path: path.key("uid"),
                                   help: suggestion(for: uid.type.description,
                                                    among: schema.entityTypes.keys.map(\.description)))
                return nil
            }
            definition = def
            _ = decoder.checkDeclared(uid, uidNode, path.key("uid"))
        }

        var entity = Entity(uid: uid)
        if let attrsNode = required("attrs", field("attrs"), node, members, path) {
            entity.attributes = attributes(attrsNode, definition, path.key("attrs"))
        }
        if let tagsNode = field("tags") {
            entity.tags = tags(tagsNode, definition, uid, path.key("tags"))
        }
        var parentNodes: [EntityUID: (node: JSONNode, path: JSONPath)] = [:]
        if let parentsNode = required("parents", field("parents"), node, members, path) {
            if let list = parentsNode.elements {
                for (j, p) in list.enumerated() {
                    let pPath = path.key("parents").index(j)
                    guard let parent = decoder.entityUID(p, pPath), checkParent(parent, of: uid, definition, p, pPath)
                    else { continue }
                    entity.parents.insert(parent)
                    parentNodes[parent] = parentNodes[parent] ?? (p, pPath)
                }
            } else {
                decoder.sink.error("vigil.data.expected_array", "`parents` must be an array of entity references, "
                    + "found " + parentsNode.kindWithArticle, at: parentsNode.span, path: path.key("parents"))
            }
        }
        return ReadEntity(entity: entity, path: path, uidNode: uidNode, parentNodes: parentNodes)
    }

    /// A required member, or `nil` after reporting it missing (suggesting a misspelt key that is present).
    private mutating func required(
        _ name: String, _ value: JSONNode?, _ node: JSONNode,
        _ members: [JSONMember], _ path: JSONPath
    ) -> JSONNode? {
        if let value { return value }
        let known: Set<String> = ["uid", "attrs", "parents", "tags"]
        decoder.sink.error("vigil.data.missing_field", "entity is missing required field `\(name)`", at: node.span,
                           path: path, help: closest(to: name, among: members.map(\.key).filter { !known.contains($0) })
                               .map { "found `\($0)`; did you mean `\(name)`?" })
        return nil
    }

    private mutating func attributes(
        _ node: JSONNode, _ def: EntityTypeDefinition?, _ path: JSONPath
    ) -> [String: Value] {
        guard node.members != nil else {
            decoder.sink.error("vigil.data.expected_object", "`attrs` must be an object, found " + node.kindWithArticle,
                               at: node.span, path: path)
            return [:]
        }
        if let def {
            return decoder.record(node, type: def.attributes, owner: "entity type `\(def.name)`", path) ?? [:]
        }
        var out: [String: Value] = [:]
        for (key, _, value) in decoder.uniqueMembers(node, path) {
            if let v = decoder.plain(value, path.key(key)) { out[key] = v }
        }
        return out
    }

    private mutating func tags(
        _ node: JSONNode, _ def: EntityTypeDefinition?, _ uid: EntityUID, _ path: JSONPath
    ) -> [String: Value] {
        guard node.members != nil else {
            decoder.sink.error("vigil.data.expected_object", "`tags` must be an object, found " + node.kindWithArticle,
                               at: node.span, path: path)
            return [:]
        }
        var out: [String: Value] = [:]
        for (key, keySpan, value) in decoder.uniqueMembers(node, path) {
            if let def, def.tags == nil {
                decoder.sink.error("vigil.data.unexpected_tag",
                                   "entity type `\(def.name)` declares no tags, but `\(uid)` has tag `\(key)`",
                                   at: keySpan, path: path.key(key),
                                   help: "declare the tag type in the schema (`entity \(def.name.basename) tags T`)")
                break
            }
            if let v = decoder.value(value, expected: def?.tags, path.key(key)) { out[key] = v }
        }
        return out
    }

    /// Checks one parent: an action's parents must be actions (always); with a schema, the parent's type must be
    /// an allowed ancestor type and the parent itself declared (enumerated ids, actions).
    private mutating func checkParent(
        _ parent: EntityUID, of uid: EntityUID, _ def: EntityTypeDefinition?, _ node: JSONNode, _ path: JSONPath
    ) -> Bool {
        if uid.isAction && !parent.isAction {
            decoder.sink.error("vigil.data.action_parent",
                               "action `\(uid)` has parent `\(parent)`, which is not an action", at: node.span,
                               path: path, help: "an action can only be a member of other actions")
            return false
        }
        guard let def else { return true }
        let allowed = ancestorTypes(of: def.name)
        guard allowed.contains(parent.type) else {
            let list = allowed.map { "`\($0)`" }.sorted().joined(separator: ", ")
            decoder.sink.error("vigil.data.invalid_parent_type",
                               "`\(uid)` cannot have a parent of type `\(parent.type)`", at: node.span, path: path,
                               help: allowed.isEmpty ? "the schema declares no parent types for `\(def.name)`"
                                   : "`\(def.name)` may be a member of \(list)")
            return false
        }
        return decoder.checkDeclared(parent, node, path)
    }

    /// The types `type` may have as ancestors, transitively (Cedar closes the relation before checking ancestors),
    /// cached because every entity of the type asks.
    private mutating func ancestorTypes(of type: Name) -> Set<Name> {
        if let cached = allowedAncestorTypes[type] { return cached }
        let types = schema?.entityTypeAncestors(of: type) ?? []
        allowedAncestorTypes[type] = types
        return types
    }

    /// Keeps the first of identical duplicates and reports a uid used with different contents.
    private mutating func removeDuplicates(_ list: [ReadEntity]) -> [ReadEntity] {
        var firstIndex: [EntityUID: Int] = [:]
        var out: [ReadEntity] = []
        for e in list {
            if let k = firstIndex[e.entity.uid] {
                if out[k].entity != e.entity {
                    decoder.sink.error("vigil.data.duplicate_entity",
                                       "entity `\(e.entity.uid)` appears twice with different contents",
                                       at: e.uidNode.span, path: e.path.key("uid"),
                                       help: "the first is at `\(out[k].path)`; merge the two")
                }
                continue
            }
            firstIndex[e.entity.uid] = out.count
            out.append(e)
        }
        return out
    }
}
