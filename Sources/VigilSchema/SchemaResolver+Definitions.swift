import VigilPolicy

/// A type with every name resolved but common types not yet inlined.
indirect enum QualifiedType {
    case long, string, bool
    case set(QualifiedType)
    /// Later attributes of the same name replace earlier ones, as in Cedar.
    case record([String: (type: QualifiedType, isRequired: Bool)])
    case entity(Name)
    case common(Name)
    case `extension`(String)
}

/// Every declaration with its references resolved (phase 3 of `SchemaResolver`).
struct QualifiedSchema {
    struct Located {
        var type: QualifiedType
        var origin: Origin
    }

    struct Entity {
        var name: Name
        var decl: RawEntityType
        var parents: [RawName]
        var shape: Located?
        var tags: Located?
    }

    struct Action {
        var uid: EntityUID
        var decl: RawAction
        var parents: [EntityUID]
        var principals: [RawName]
        var resources: [RawName]
        var context: Located?
    }

    var commonTypes: [Name: QualifiedType] = [:]
    var entities: [Entity] = []
    var actions: [Action] = []
}

/// A type after inlining, with how deeply it nests (a primitive is 1, `Set<Long>` is 2).
struct ResolvedType {
    var type: SchemaType
    var depth: Int
}

extension SchemaResolver {
    // MARK: - Phase 3: references

    /// Resolves every reference in every declaration, reporting each one that fails.
    mutating func qualifyReferences() -> QualifiedSchema {
        var q = QualifiedSchema()
        for name in commonOrder {
            guard let d = commonDecls[name], let t = qualify(d.decl.type, in: d.namespace) else { continue }
            q.commonTypes[name] = t
        }
        for name in entityOrder {
            guard let d = entityDecls[name] else { continue }
            let e = d.decl
            q.entities.append(QualifiedSchema.Entity(
                name: name, decl: e,
                parents: e.memberOf.compactMap { resolveEntityType($0, in: d.namespace) },
                shape: e.shape.flatMap { located($0, in: d.namespace) },
                tags: e.tags.flatMap { located($0, in: d.namespace) }))
        }
        for uid in actionOrder {
            guard let d = actionDecls[uid] else { continue }
            let a = d.decl
            q.actions.append(QualifiedSchema.Action(
                uid: uid, decl: a,
                parents: a.memberOf.compactMap { resolveAction($0, in: d.namespace) },
                principals: (a.appliesTo?.principals ?? []).compactMap { resolveEntityType($0, in: d.namespace) },
                resources: (a.appliesTo?.resources ?? []).compactMap { resolveEntityType($0, in: d.namespace) },
                context: a.appliesTo?.context.flatMap { located($0, in: d.namespace) }))
        }
        return q
    }

    private mutating func located(_ t: RawType, in ns: [String]) -> QualifiedSchema.Located? {
        qualify(t, in: ns).map { QualifiedSchema.Located(type: $0, origin: t.origin) }
    }

    /// Resolves the names in a type; `nil` when any fails (each failure reported). Recursion follows the written
    /// nesting, which the readers bound by `maxTypeDepth`.
    private mutating func qualify(_ t: RawType, in ns: [String]) -> QualifiedType? {
        switch t.kind {
        case .long: return .long
        case .string: return .string
        case .bool: return .bool
        case .set(let element): return qualify(element, in: ns).map { .set($0) }
        case .record(let attributes):
            var out: [String: (type: QualifiedType, isRequired: Bool)] = [:]
            var complete = true
            for a in attributes {
                if let q = qualify(a.type, in: ns) { out[a.name] = (q, a.isRequired) } else { complete = false }
            }
            return complete ? .record(out) : nil
        case .reference(let raw, let kind): return resolveType(raw, kind, in: ns)
        case .extension(let name):
            guard SchemaNames.extensionTypes.contains(name) else {
                report(SchemaCode.unknownExtensionType, "unknown extension type `\(name)`", at: t.origin,
                       help: suggestion(for: name, among: SchemaNames.extensionTypes.sorted()))
                return nil
            }
            return .extension(name)
        }
    }

    // MARK: - Phase 4: common types

    /// Inlines every common type, dependencies first; reports cycles and types that nest too deeply.
    mutating func inlineCommonTypes(_ qualified: [Name: QualifiedType]) -> [Name: ResolvedType] {
        var resolved: [Name: ResolvedType] = [:]
        for (name, type) in SchemaNames.primitives {
            resolved[Name(namespace: [SchemaNames.cedarNamespace], basename: name)] = ResolvedType(type: type, depth: 1)
        }
        for name in SchemaNames.extensionTypes {
            resolved[Name(namespace: [SchemaNames.cedarNamespace], basename: name)] =
                ResolvedType(type: .extension(name), depth: 1)
        }
        let nodes = commonOrder + aliases.keys.sorted()
        let order = DependencyOrder(nodes) { name in
            if let target = aliases[name] { return [target] }
            return qualified[name].map(Self.commonReferences) ?? []
        }
        for name in order.order {
            if let target = aliases[name] {
                resolved[name] = resolved[target]
                continue
            }
            guard let q = qualified[name], let origin = commonDecls[name]?.decl.origin,
                  let r = build(q, commonTypes: resolved, at: origin)
            else { continue }
            resolved[name] = r
        }
        for name in order.cycles {
            guard let origin = commonDecls[name]?.decl.origin else { continue }
            report(SchemaCode.commonTypeCycle, "cycle in common type references containing `\(name)`", at: origin,
                   help: "a common type cannot refer to itself, directly or through other common types")
        }
        return resolved
    }

    private static func commonReferences(_ t: QualifiedType) -> [Name] {
        switch t {
        case .common(let n): return [n]
        case .set(let e): return commonReferences(e)
        case .record(let attributes): return attributes.values.flatMap { commonReferences($0.type) }
        case .long, .string, .bool, .entity, .extension: return []
        }
    }

    /// Builds a type from already-inlined common types. `nil` when it uses one that failed (already reported)
    /// or nests deeper than `maxTypeDepth` (reported at `origin`).
    private mutating func build(_ t: QualifiedType, commonTypes: [Name: ResolvedType], at origin: Origin) -> ResolvedType? {
        guard let r = Self.inline(t, commonTypes) else { return nil }
        guard r.depth <= maxTypeDepth else {
            report(SchemaCode.tooDeep, "type nests more than \(maxTypeDepth) levels deep once common types are inlined",
                   at: origin)
            return nil
        }
        return r
    }

    private static func inline(_ t: QualifiedType, _ commonTypes: [Name: ResolvedType]) -> ResolvedType? {
        switch t {
        case .long: return ResolvedType(type: .long, depth: 1)
        case .string: return ResolvedType(type: .string, depth: 1)
        case .bool: return ResolvedType(type: .bool, depth: 1)
        case .entity(let n): return ResolvedType(type: .entity(n), depth: 1)
        case .extension(let n): return ResolvedType(type: .extension(n), depth: 1)
        case .common(let n): return commonTypes[n]
        case .set(let e): return inline(e, commonTypes).map { ResolvedType(type: .set($0.type), depth: $0.depth &+ 1) }
        case .record(let attributes):
            var record = RecordType()
            var depth = 0
            for (name, a) in attributes {
                guard let r = inline(a.type, commonTypes) else { return nil }
                record.attributes[name] = AttributeType(type: r.type, isRequired: a.isRequired)
                depth = max(depth, r.depth)
            }
            return ResolvedType(type: .record(record), depth: depth &+ 1)
        }
    }

    // MARK: - Phase 5: definitions

    /// Builds the entity types and actions, checking shapes and contexts are records and that parents,
    /// principals and resources are declared entity types.
    mutating func buildDefinitions(_ q: QualifiedSchema, commonTypes: [Name: ResolvedType]) -> Schema {
        var schema = Schema(file: file)
        for e in q.entities {
            let attributes = e.shape.flatMap { record($0, commonTypes, what: "the shape of entity type `\(e.name)`") }
            let tags = e.tags.flatMap { build($0.type, commonTypes: commonTypes, at: $0.origin)?.type }
            schema.entityTypes[e.name] = EntityTypeDefinition(
                name: e.name, memberOfTypes: declaredEntityTypes(e.parents, role: "parent"),
                attributes: attributes ?? RecordType(), tags: tags, enumIDs: e.decl.enumIDs, span: e.decl.origin.span)
        }
        for a in q.actions {
            let context = a.context.flatMap { record($0, commonTypes, what: "the context of action `\(a.uid)`") }
            schema.actions[a.uid] = ActionDefinition(
                uid: a.uid, memberOf: Set(a.parents),
                principalTypes: declaredEntityTypes(a.principals, role: "principal"),
                resourceTypes: declaredEntityTypes(a.resources, role: "resource"),
                context: context ?? RecordType(), span: a.decl.origin.span)
        }
        return schema
    }

    private mutating func record(_ t: QualifiedSchema.Located, _ commonTypes: [Name: ResolvedType], what: String) -> RecordType? {
        guard let r = build(t.type, commonTypes: commonTypes, at: t.origin) else { return nil }
        guard case .record(let record) = r.type else {
            report(SchemaCode.notARecord, "\(what) must be a record type, not `\(r.type)`", at: t.origin)
            return nil
        }
        return record
    }

    /// The names, each of which must be a declared entity type: a reference may resolve to an action type
    /// (`Action`), which attributes may use but parents, principals and resources may not.
    private mutating func declaredEntityTypes(_ names: [RawName], role: String) -> Set<Name> {
        var out: Set<Name> = []
        for n in names {
            guard entityDecls[n.name] != nil else {
                report(SchemaCode.undeclaredEntityType, "undeclared entity type `\(n.name)`", at: n.origin,
                       help: "a \(role) type must be an entity type declared with `entity`")
                continue
            }
            out.insert(n.name)
        }
        return out
    }

    // MARK: - Phase 6: action hierarchy

    mutating func checkActionCycles(_ schema: Schema) {
        let order = DependencyOrder(actionOrder) { uid in schema.actions[uid].map { Array($0.memberOf) } ?? [] }
        for uid in order.cycles {
            guard let origin = actionDecls[uid]?.decl.origin else { continue }
            report(SchemaCode.actionCycle, "cycle in action hierarchy containing `\(uid)`", at: origin,
                   help: "an action cannot be a member of itself, directly or through other action groups")
        }
    }
}
