import VigilData
import VigilPolicy
import VigilSchema

/// Compiles a policy set, its template links, entity data and sessions into the contents of an index
/// (docs/INDEX_FORMAT.md), ready for `IndexWriter.publish(_:)`.
///
/// What Cedar does per request is done here once: uids are interned to integers, the `in` hierarchy is closed
/// transitively, extension literals and `like` patterns are pre-parsed, and each policy's conditions become one
/// bytecode program, indexed by the actions it applies to.
public struct Compiler: Sendable {
    /// The policies and templates, in Cedar's positional order.
    public var policies: PolicySet
    /// Template links, numbered after the static policies in this order.
    public var links: [TemplateLink]
    /// Expiries of links (Unix ms), by link id; a link not listed never expires.
    public var linkExpiries: [String: Int64]
    /// The entity data.
    public var entities: [Entity]
    /// When given, its actions and action groups are added to the entities.
    public var schema: Schema?
    public var sessions: [Session]

    public init(
        policies: PolicySet, links: [TemplateLink] = [], linkExpiries: [String: Int64] = [:], entities: [Entity] = [],
        schema: Schema? = nil, sessions: [Session] = []
    ) {
        self.policies = policies
        self.links = links
        self.linkExpiries = linkExpiries
        self.entities = entities
        self.schema = schema
        self.sessions = sessions
    }

    /// Compiles everything into the index's contents.
    /// - Throws: `Diagnostics` with every problem found: misused `@step_up` or `@max_age`, a link to a missing
    ///   template or with an unfilled slot, a value nested too deeply.
    public func compile() throws(Diagnostics) -> CompiledIndex {
        var interner = Interner()
        var errors: [Diagnostic] = []
        var data = EntityData()
        data.add(entities, schema: schema, &interner, &errors)
        let (compiled, ids) = compilePolicies(&interner, &errors)
        let sessionRecords = sessions.map { s in
            (id: Array(s.id.utf8), record: SessionRecord(
                eid: interner.eid(s.entity), flags: s.revoked ? SessionRecord.revoked : 0,
                expiresMs: s.expiresAtMs ?? Int64.max).bytes())
        }.sorted { $0.id.lexicographicallyPrecedes($1.id) }
        let contextTypes = contextTypes(&interner, &errors)
        guard errors.isEmpty else { throw Diagnostics(errors) }

        // Every entity is interned by now: the closure and the records cover all eids.
        let ancestors = AncestorClosure.compute(parents: data.parents(count: interner.uids.count))
        return CompiledIndex(
            names: interner.names.names,
            uidKeys: interner.uids.keys.map { key in
                var w = ByteWriter()
                w.u32(key.type)
                w.append(key.id)
                return w.bytes
            },
            entities: data.records(interner: interner, ancestors: ancestors),
            policies: compiled.map { $0.record.bytes() },
            policyIDs: ids,
            byAction: ScopeIndex.byAction(compiled.map(\.action), interner: interner, ancestors: ancestors),
            contextTypes: contextTypes,
            sessions: sessionRecords)
    }

    /// The static policies in positional order, then the links; templates are kept only to be linked.
    private func compilePolicies(
        _ interner: inout Interner, _ errors: inout [Diagnostic]
    ) -> (policies: [CompiledPolicy], ids: [String]) {
        var compiled: [CompiledPolicy] = []
        var ids: [String] = []
        // A link names its template by positional id or, as in examples/saas, by `@id`.
        var templates: [String: PolicySet.Entry] = [:]
        for entry in policies.entries {
            if entry.policy.isTemplate {
                templates[entry.positionalID] = entry
                if let annotated = entry.annotatedID, templates[annotated] == nil { templates[annotated] = entry }
                continue
            }
            if let p = PolicyCompiler.compile(entry.policy, id: entry.positionalID, file: entry.file,
                                              interner: &interner, errors: &errors) {
                compiled.append(p)
                ids.append(entry.positionalID)
            }
        }
        for link in links {
            guard let template = templates[link.templateID] else {
                errors.append(Diagnostic(code: "vigil.compile.unknown_template",
                                         message: "link `\(link.newID)` names template `\(link.templateID)`, "
                                             + "which is not in the policy set"))
                continue
            }
            if let p = PolicyCompiler.compile(template.policy, id: link.newID, file: template.file,
                                              slots: link.values, expiresMs: linkExpiries[link.newID],
                                              interner: &interner, errors: &errors) {
                compiled.append(p)
                ids.append(link.newID)
            }
        }
        return (compiled, ids)
    }

    /// `ctx_types`: each schema action's context type, by action eid.
    private func contextTypes(
        _ interner: inout Interner, _ errors: inout [Diagnostic]
    ) -> [(action: UInt32, descriptor: [UInt8])] {
        var out: [(action: UInt32, descriptor: [UInt8])] = []
        for action in (schema?.actions.values.sorted { $0.uid < $1.uid }) ?? [] {
            do {
                let descriptor = try ContextTypeEncoder.encode(.record(action.context), &interner)
                out.append((interner.eid(action.uid), descriptor))
            } catch {
                errors.append(Diagnostic(code: "vigil.compile.too_deep",
                                         message: "the context type of `\(action.uid)` nests deeper than "
                                             + "\(ValueEncoder.maxDepth) levels"))
            }
        }
        return out.sorted { $0.action < $1.action }
    }
}
