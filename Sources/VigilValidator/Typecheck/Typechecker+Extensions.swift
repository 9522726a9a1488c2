import VigilPolicy

extension Typechecker {
    /// An extension function or method call. Constructors (`ip`, `decimal`, `datetime`, `duration`) must be
    /// given a literal in strict mode, and a literal string must parse, so a bad value is caught before any
    /// request is made.
    func extensionCall(_ name: String, _ args: [Expr], _ e: Expr, _ prior: CapabilitySet) -> Answer {
        guard let function = Extensions.functions[name] else {
            sink.error("unknown_function", "undefined extension function: \(name)", at: e.span)
            for a in args { _ = typecheck(a, prior) }
            return .fail(nil)
        }
        let result = ValueType(function.result)
        var failed = false
        if args.count != function.arguments.count {
            wrongArgumentCount(expected: function.arguments.count, actual: args.count, at: e.span)
            failed = true
        }
        if let problem = literalArgumentProblem(name, args) {
            sink.error(
                "invalid_extension_argument", "error during extension function argument validation: \(problem)",
                at: e.span)
            failed = true
        }
        if function.isConstructor, !args.allSatisfy({ if case .literal = $0.kind { true } else { false } }) {
            sink.error(
                "non_literal_extension_argument",
                "extension constructors may not be called with non-literal expressions", at: e.span,
                help: "consider applying extension constructors inside attribute values when constructing entity or "
                    + "context data")
            failed = true
        }
        if failed {
            for a in args { _ = typecheck(a, prior) }
            return .fail(result)
        }
        let answers = zip(args, function.arguments).map { arg, type in expect(arg, .argument(type), prior) }
        return Answer.all(answers) { _ in .success(result) }
    }

    /// Why a constructor's single literal string argument is not a valid value, if it is not.
    private func literalArgumentProblem(_ name: String, _ args: [Expr]) -> String? {
        guard args.count == 1, case .literal(.string(let s)) = args[0].kind else { return nil }
        let literal = "`\(CedarString.quote(s))`"
        switch name {
        case "ip": return IPAddrValue.parse(s) == nil ? "failed to parse as IP address: \(literal)" : nil
        case "decimal": return DecimalValue.parse(s) == nil ? "failed to parse as a decimal value: \(literal)" : nil
        case "datetime": return DatetimeValue.parse(s) == nil ? "failed to parse as a datetime value: \(literal)" : nil
        case "duration": return DurationValue.parse(s) == nil ? "failed to parse as a duration value: \(literal)" : nil
        default: return nil
        }
    }
}
