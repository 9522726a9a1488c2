import VigilPolicy

/// Vigil's policy annotations: `@step_up("1".."3")` on forbids and `@max_age("seconds")`.
struct VigilAnnotations {
    var stepUp: UInt32?
    var maxAge: UInt32?

    /// Reads the annotations of `policy`, reporting misuse at the annotation.
    static func read(_ policy: Policy, file: SourceFile, into errors: inout [Diagnostic]) -> VigilAnnotations {
        var out = VigilAnnotations()
        for a in policy.annotations {
            switch a.name {
            case "step_up":
                let value = a.value ?? ""
                guard policy.effect == .forbid else {
                    errors.append(Diagnostic(
                        code: "vigil.compile.step_up_on_permit", message: "`@step_up` is only allowed on a forbid",
                        file: file, span: a.span,
                        help: "a step-up forbid says \"not without stronger authentication\"; write it as a forbid"))
                    continue
                }
                guard let level = UInt32(value), (1...3).contains(level), value.utf8.count == 1 else {
                    errors.append(Diagnostic(
                        code: "vigil.compile.bad_step_up", message: "`@step_up` must be \"1\", \"2\" or \"3\", "
                            + "found \(CedarString.quote(value))",
                        file: file, span: a.span, help: "the level is the NIST assurance level (AAL) required"))
                    continue
                }
                out.stepUp = level
            case "max_age":
                let value = a.value ?? ""
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                      let seconds = UInt32(value), seconds < UInt32.max
                else {
                    errors.append(Diagnostic(
                        code: "vigil.compile.bad_max_age",
                        message: "`@max_age` must be a number of seconds, found \(CedarString.quote(value))",
                        file: file, span: a.span, help: "write it as `@max_age(\"300\")`"))
                    continue
                }
                out.maxAge = seconds
            default:
                continue
            }
        }
        return out
    }
}
