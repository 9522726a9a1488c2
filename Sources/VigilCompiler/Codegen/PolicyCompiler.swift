import VigilPolicy

/// One policy ready for the index: its record and the actions it applies to.
struct CompiledPolicy {
    var record: PolicyRecord
    var action: ActionConstraint
}

/// Compiles one policy (a static policy, or a template with a link's slot values) into its record.
enum PolicyCompiler {
    /// - Parameters:
    ///   - policy: the policy or template.
    ///   - id: its positional id or link id.
    ///   - file: where it was read from.
    ///   - slots: a link's slot values (empty for a static policy).
    ///   - expiresMs: a link's expiry (Unix ms), `nil` for never.
    ///   - errors: receives located problems with the annotations, slots or condition.
    /// - Returns: the compiled policy, or `nil` when an error was reported.
    static func compile(
        _ policy: Policy, id: String, file: SourceFile, slots: [Slot: EntityUID] = [:], expiresMs: Int64? = nil,
        interner: inout some Interning, errors: inout [Diagnostic]
    ) -> CompiledPolicy? {
        let errorCount = errors.count
        let annotations = VigilAnnotations.read(policy, file: file, into: &errors)
        let principal = scope(policy.principal, slots, policy.principalSpan, file, &interner, &errors)
        let resource = scope(policy.resource, slots, policy.resourceSpan, file, &interner, &errors)
        var program = Program()
        do {
            program = try ConditionCompiler.compile(policy.conditions, file: file, slots: slots, interner: &interner)
        } catch {
            errors.append(contentsOf: error.all)
        }
        // Every action the constraint names is an entity the index must know (IDX-E001).
        switch policy.action {
        case .any: break
        case .equals(let a), .in(let a): _ = interner.eid(a)
        case .inSet(let list): for a in list { _ = interner.eid(a) }
        }
        guard errors.count == errorCount, let principal, let resource else { return nil }

        var flags: UInt32 = 0
        if policy.effect == .forbid { flags |= PolicyRecord.forbid }
        if !slots.isEmpty || policy.isTemplate { flags |= PolicyRecord.linked }
        if annotations.stepUp != nil { flags |= PolicyRecord.stepUp }
        // A link is named by its own id: the template's `@id` would name every link of the template alike.
        let annotatedID = slots.isEmpty ? policy.annotation("id") : nil
        if annotatedID != nil { flags |= PolicyRecord.hasAnnotatedID }
        let record = PolicyRecord(
            flags: flags, stepUpLevel: annotations.stepUp ?? 0, maxAge: annotations.maxAge ?? PolicyRecord.noMaxAge,
            expiresMs: expiresMs ?? Int64.max, principal: principal, resource: resource, id: Array(id.utf8),
            annotatedID: Array((annotatedID ?? "").utf8), program: program, fileName: Array(file.name.utf8))
        return CompiledPolicy(record: record, action: policy.action)
    }

    /// The `vigil_scope` of a principal or resource constraint, with slots filled from `slots`.
    private static func scope(
        _ c: ScopeConstraint, _ slots: [Slot: EntityUID], _ span: SourceSpan, _ file: SourceFile,
        _ interner: inout some Interning, _ errors: inout [Diagnostic]
    ) -> ScopeRecord? {
        func entity(_ ref: EntityReference) -> UInt32? {
            switch ref {
            case .entity(let uid):
                return interner.eid(uid)
            case .slot(let s):
                guard let uid = slots[s] else {
                    errors.append(Diagnostic(code: "vigil.compile.unfilled_slot",
                                             message: "slot `\(s.rawValue)` has no value", file: file, span: span,
                                             help: "templates take effect only through links that fill their slots"))
                    return nil
                }
                return interner.eid(uid)
            }
        }
        switch c {
        case .any:
            return .any
        case .equals(let ref):
            return entity(ref).map { ScopeRecord(kind: .equals, eid: $0) }
        case .in(let ref):
            return entity(ref).map { ScopeRecord(kind: .in, eid: $0) }
        case .is(let type):
            return ScopeRecord(kind: .is, type: interner.name(type.description))
        case .isIn(let type, let ref):
            let t = interner.name(type.description)
            return entity(ref).map { ScopeRecord(kind: .isIn, eid: $0, type: t) }
        }
    }
}
