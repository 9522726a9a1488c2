import VigilPolicy

/// Evaluates at compile time the expressions whose value cannot depend on the request: literals, filled slots,
/// extension constructors with a valid string literal, and sets and records made only of those.
enum ConstantFolder {
    /// The constructors that parse a string (`ip`, `decimal`, `datetime`, `duration`).
    static let constructors: Set<String> = ["ip", "decimal", "datetime", "duration"]

    /// The value of `e` when it is constant, else `nil` (also when evaluating it would raise an error).
    static func value(of e: Expr, slots: [Slot: EntityUID]) -> Value? {
        switch e.kind {
        case .literal(.bool(let b)): return .bool(b)
        case .literal(.long(let v)): return .long(v)
        case .literal(.string(let s)): return .string(s)
        case .literal(.entity(let uid)): return .entity(uid)
        case .slot(let s): return slots[s].map(Value.entity)
        case .set(let elements):
            var out = Set<Value>()
            for x in elements {
                guard let v = value(of: x, slots: slots) else { return nil }
                out.insert(v)
            }
            return .set(out)
        case .record(let fields):
            var out: [String: Value] = [:]
            for (k, x) in fields {
                guard let v = value(of: x, slots: slots) else { return nil }
                out[k] = v
            }
            // Keys Swift merges (canonically equivalent spellings) are distinct in Cedar: leave those to the VM.
            return out.count == fields.count ? .record(out) : nil
        case .call(let name, let args):
            guard let s = stringLiteral(name.description, args) else { return nil }
            return Value.construct(name.description, s)
        default:
            return nil
        }
    }

    /// Whether `name(args)` is a constructor called with one string literal that it rejects (`ip("x")`).
    static func isInvalidConstructorCall(_ name: String, _ args: [Expr]) -> Bool {
        guard let s = stringLiteral(name, args) else { return false }
        return Value.construct(name, s) == nil
    }

    private static func stringLiteral(_ name: String, _ args: [Expr]) -> String? {
        guard constructors.contains(name), args.count == 1, case .literal(.string(let s)) = args[0].kind else {
            return nil
        }
        return s
    }
}
