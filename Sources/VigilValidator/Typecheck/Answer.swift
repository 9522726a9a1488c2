/// The result of typechecking one expression: its type when one is known (a failed expression may still have a
/// type, so checking can go on and find more errors), whether it typechecked, and the capabilities it grants
/// when it evaluates to `true`.
struct Answer {
    var type: ValueType?
    var ok: Bool
    var capability: CapabilitySet

    static func success(_ type: ValueType, _ capability: CapabilitySet = .empty) -> Answer {
        Answer(type: type, ok: true, capability: capability)
    }

    static func fail(_ type: ValueType?) -> Answer {
        Answer(type: type, ok: false, capability: .empty)
    }

    /// This answer with failure forced, as when an operand failed; a failed answer grants nothing.
    var failed: Answer { Answer(type: type, ok: false, capability: .empty) }

    /// Continues checking with this answer's type and capability. When this answer failed, the continuation
    /// still runs (to find further errors) with no capability, and its result is failed too.
    func then(_ next: (ValueType?, CapabilitySet) -> Answer) -> Answer {
        ok ? next(type, capability) : next(type, .empty).failed
    }

    /// Continues with the types of all `answers`; the result fails when any of them failed.
    static func all(_ answers: [Answer], _ next: ([ValueType?]) -> Answer) -> Answer {
        let result = next(answers.map(\.type))
        return answers.allSatisfy(\.ok) ? result : result.failed
    }
}
