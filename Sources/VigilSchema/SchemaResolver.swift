import VigilPolicy

/// Turns a `RawSchema` from either reader into the resolved `Schema`, applying Cedar's rules once for both
/// formats (cedar-policy-core's `validator/schema.rs`, `schema/raw_name.rs` and `schema/namespace_def.rs`).
///
/// Phases, each reporting every problem it finds and stopping the build when there is any, so later phases
/// never report consequences of earlier problems:
/// 1. declarations: collect every entity type, common type and action under its full name;
/// 2. shadowing (RFC 70): a namespaced entity or common type may not reuse the basename of one in the empty
///    namespace, nor a namespaced action the id of an action in the empty namespace;
/// 3. references: qualify every type name and parent action (see `resolveType`);
/// 4. common types: inline them in dependency order, refusing cycles;
/// 5. definitions: build entity types and actions, checking shapes and contexts are records and that
///    `memberOfTypes` and `appliesTo` name declared entity types;
/// 6. the action hierarchy must be acyclic (entity type hierarchies may have cycles, as in Cedar).
struct SchemaResolver {
    let file: SourceFile
    var problems: [Diagnostic] = []

    /// A declaration and the namespace it was written in, which unqualified names inside it are relative to.
    struct Declared<T> {
        var namespace: [String]
        var decl: T
    }

    var entityDecls: [Name: Declared<RawEntityType>] = [:]
    var commonDecls: [Name: Declared<RawCommonType>] = [:]
    var actionDecls: [EntityUID: Declared<RawAction>] = [:]
    /// Declarations in source order, for deterministic reports.
    var entityOrder: [Name] = []
    var commonOrder: [Name] = []
    var actionOrder: [EntityUID] = []

    /// Names a reference may resolve to as an entity type: the declared ones, and the action type (`Action`,
    /// `NS::Action`) of each namespace that declares actions, so an attribute may have type `Action`.
    var entityNames: Set<Name> = []
    /// Names a reference may resolve to as a common type: the declared ones, the built-ins (`__cedar::Long`,
    /// `__cedar::ipaddr`, …) and their aliases in the empty namespace (`Long`, `ipaddr`, …) unless the empty
    /// namespace declares that name itself.
    var commonNames: Set<Name> = []
    /// Each empty-namespace alias and the built-in it stands for.
    var aliases: [Name: Name] = [:]

    /// Resolves a whole schema.
    /// - Throws: `Diagnostics` with every problem of the first phase that has any.
    static func resolve(_ raw: RawSchema, file: SourceFile) throws(Diagnostics) -> Schema {
        var r = SchemaResolver(file: file)
        r.collectDeclarations(raw)
        try r.stopIfProblems()
        r.checkShadowing()
        try r.stopIfProblems()
        r.defineBuiltins()
        let qualified = r.qualifyReferences()
        try r.stopIfProblems()
        let commonTypes = r.inlineCommonTypes(qualified.commonTypes)
        try r.stopIfProblems()
        let schema = r.buildDefinitions(qualified, commonTypes: commonTypes)
        try r.stopIfProblems()
        r.checkActionCycles(schema)
        try r.stopIfProblems()
        return schema
    }

    private func stopIfProblems() throws(Diagnostics) {
        if !problems.isEmpty { throw Diagnostics(problems) }
    }

    mutating func report(_ code: String, _ message: String, at origin: Origin, help: String? = nil) {
        problems.append(Diagnostic(code, message, in: file, at: origin, help: help))
    }

    // MARK: - Phase 1: declarations

    private mutating func collectDeclarations(_ raw: RawSchema) {
        for ns in raw.namespaces {
            for e in ns.entityTypes {
                let name = Name(namespace: ns.path, basename: e.name)
                if e.name == "Action" {
                    report(SchemaCode.actionEntityType, "entity type `\(name)` cannot be declared", at: e.origin,
                           help: "`Action` is the type of the namespace's actions; declare actions with `action`")
                }
                guard entityDecls[name] == nil else {
                    report(SchemaCode.duplicateDeclaration, "entity type `\(name)` is declared twice", at: e.origin)
                    continue
                }
                entityDecls[name] = Declared(namespace: ns.path, decl: e)
                entityOrder.append(name)
            }
            for c in ns.commonTypes {
                let name = Name(namespace: ns.path, basename: c.name)
                guard commonDecls[name] == nil else {
                    report(SchemaCode.duplicateDeclaration, "common type `\(name)` is declared twice", at: c.origin)
                    continue
                }
                commonDecls[name] = Declared(namespace: ns.path, decl: c)
                commonOrder.append(name)
            }
            for a in ns.actions {
                let uid = EntityUID(type: Name(namespace: ns.path, basename: "Action"), id: a.name)
                guard actionDecls[uid] == nil else {
                    report(SchemaCode.duplicateDeclaration, "action `\(uid)` is declared twice", at: a.origin)
                    continue
                }
                actionDecls[uid] = Declared(namespace: ns.path, decl: a)
                actionOrder.append(uid)
            }
        }
    }

    // MARK: - Phase 2: shadowing

    private mutating func checkShadowing() {
        var emptyNamespaceTypes: Set<String> = []
        for name in entityOrder + commonOrder where name.isUnqualified { emptyNamespaceTypes.insert(name.basename) }
        let typeDecls = entityOrder.compactMap { n in entityDecls[n].map { (n, $0.decl.origin) } }
            + commonOrder.compactMap { n in commonDecls[n].map { (n, $0.decl.origin) } }
        for (name, origin) in typeDecls where !name.isUnqualified && emptyNamespaceTypes.contains(name.basename) {
            report(SchemaCode.shadowing, "definition of `\(name)` illegally shadows the existing definition of `\(name.basename)`",
                   at: origin, help: "rename one of them, or move `\(name.basename)` into a namespace")
        }
        let emptyNamespaceActions = Set(actionOrder.filter { $0.type.isUnqualified }.map(\.id))
        for uid in actionOrder where !uid.type.isUnqualified && emptyNamespaceActions.contains(uid.id) {
            guard let origin = actionDecls[uid]?.decl.origin else { continue }
            let shadowed = EntityUID(type: Name(basename: "Action"), id: uid.id)
            report(SchemaCode.shadowing, "definition of `\(uid)` illegally shadows the existing definition of `\(shadowed)`",
                   at: origin, help: "rename one of the actions, or move `\(shadowed)` into a namespace")
        }
    }

    // MARK: - Built-in types

    private mutating func defineBuiltins() {
        entityNames = Set(entityDecls.keys)
        for uid in actionDecls.keys { entityNames.insert(uid.type) }
        commonNames = Set(commonDecls.keys)
        for builtin in SchemaNames.primitives.keys.sorted() + SchemaNames.extensionTypes.sorted() {
            let qualified = Name(namespace: [SchemaNames.cedarNamespace], basename: builtin)
            commonNames.insert(qualified)
            // A declaration of the same name in the empty namespace takes the plain name; the built-in stays
            // reachable as `__cedar::…`.
            let plain = Name(basename: builtin)
            if entityDecls[plain] == nil, commonDecls[plain] == nil {
                aliases[plain] = qualified
                commonNames.insert(plain)
            }
        }
    }

    // MARK: - Phase 3: references

    /// Resolves a type name written in namespace `ns`, as Cedar's `ConditionalName` does.
    ///
    /// A qualified name means exactly itself. An unqualified name `X` in namespace `N` means `N::X` if that is
    /// declared, else `X` in the empty namespace. At each candidate a common type wins over an entity type of the
    /// same name (RFC 24), but an earlier candidate always wins over a later one. Built-ins are common types in
    /// `__cedar` with aliases in the empty namespace, so `Long` inside `N` means `N::Long` when `N` declares one.
    mutating func resolveType(_ raw: RawName, _ kind: ReferenceKind, in ns: [String]) -> QualifiedType? {
        let candidates = candidates(for: raw.name, in: ns)
        for c in candidates {
            if kind.allowsCommon, commonNames.contains(c) { return .common(c) }
            if kind.allowsEntity, entityNames.contains(c) { return .entity(c) }
        }
        let declaredAs = "declared as \(kind.description)"
        var help = candidates.count == 1
            ? "`\(candidates[0])` has not been \(declaredAs)"
            : "neither `\(candidates[0])` nor `\(candidates[1])` has been \(declaredAs)"
        if let hint = hint(for: raw.name, kind, in: ns) { help += "; \(hint)" }
        report(SchemaCode.undeclaredType, "failed to resolve type `\(raw.name)`", at: raw.origin, help: help)
        return nil
    }

    /// What the writer of an unresolvable name probably meant: the same name in another namespace, `Bool` for
    /// JSON's `Boolean`, or a close spelling.
    private func hint(for name: Name, _ kind: ReferenceKind, in ns: [String]) -> String? {
        if name.description == "Boolean", kind.allowsCommon { return "the boolean type is written `Bool` in this format" }
        var declared: [Name] = []
        if kind.allowsEntity { declared += entityOrder }
        if kind.allowsCommon { declared += commonOrder }
        if let elsewhere = declared.first(where: { $0.basename == name.basename && $0 != name }) {
            return "did you mean `\(elsewhere)`?"
        }
        let visible = (declared + (kind.allowsCommon ? aliases.keys.sorted() : [])).map {
            $0.namespace == ns ? $0.basename : $0.description
        }
        return suggestion(for: name.description, among: visible)
    }

    /// A reference that must be an entity type (`memberOfTypes`, `principal`, `resource`).
    mutating func resolveEntityType(_ raw: RawName, in ns: [String]) -> RawName? {
        guard case .entity(let name) = resolveType(raw, .entity, in: ns) else { return nil }
        return RawName(name: name, origin: raw.origin)
    }

    /// A parent action: the type defaults to `Action` and, unqualified, is tried in `ns` and then in the empty
    /// namespace, so `in [read]` inside `N` means `N::Action::"read"` if `N` declares it, else `Action::"read"`.
    mutating func resolveAction(_ ref: RawActionRef, in ns: [String]) -> EntityUID? {
        let type = ref.type?.name ?? Name(basename: "Action")
        for c in candidates(for: type, in: ns) {
            let uid = EntityUID(type: c, id: ref.id)
            if actionDecls[uid] != nil { return uid }
        }
        let written = EntityUID(type: type, id: ref.id)
        var help = "an action's parents must be declared actions"
        let ids = actionOrder.filter { candidates(for: type, in: ns).contains($0.type) }.map(\.id)
        if let hint = suggestion(for: ref.id, among: ids) { help += "; \(hint)" }
        report(SchemaCode.undeclaredAction, "undeclared action `\(written)`", at: ref.origin, help: help)
        return nil
    }

    private func candidates(for name: Name, in ns: [String]) -> [Name] {
        name.isUnqualified && !ns.isEmpty ? [Name(namespace: ns, basename: name.basename), name] : [name]
    }
}
