/// Why an extension function call failed: the errors Cedar's extension functions raise.
public enum ExtensionCallError: Error, Hashable, Sendable {
    /// No extension function has this name.
    case unknownFunction(String)
    /// The call has the wrong number of arguments (counting a method's receiver).
    case wrongArgumentCount(function: String, expected: Int, found: Int)
    /// Argument `index` (0 is a method's receiver) has the wrong type.
    case wrongArgumentType(function: String, index: Int, expected: ExtensionArgumentType, found: String)
    /// A constructor's string is not valid for its type (`ip("1.2.3")`).
    case invalidArgument(function: String, argument: String)
    /// The result does not fit in 64 bits (`offset`, `durationSince`, `toDate`).
    case overflow(function: String)

    /// A one-line message in Cedar's style.
    public var message: String {
        switch self {
        case .unknownFunction(let f):
            return "`\(f)` is not an extension function"
        case .wrongArgumentCount(let f, let expected, let found):
            return "`\(f)` takes \(expected) argument\(expected == 1 ? "" : "s"), found \(found)"
        case .wrongArgumentType(let f, let index, let expected, let found):
            return "argument \(index + 1) of `\(f)` should be `\(expected.rawValue)`, found `\(found)`"
        case .invalidArgument(let f, let argument):
            return "\(CedarString.quote(argument)) is not a valid argument for `\(f)`"
        case .overflow(let f):
            return "overflow while computing `\(f)`"
        }
    }
}

extension Extensions {
    /// Applies an extension function to argument values, with Cedar's semantics and errors; a method's receiver
    /// is the first argument. Used to evaluate `__extn` escapes in entity and context JSON and to fold constants.
    /// - Returns: the result, or the error Cedar would raise.
    public static func call(_ name: String, _ args: [Value]) -> Result<Value, ExtensionCallError> {
        guard let f = functions[name] else { return .failure(.unknownFunction(name)) }
        guard args.count == f.arguments.count else {
            return .failure(.wrongArgumentCount(function: name, expected: f.arguments.count, found: args.count))
        }
        for (i, (arg, type)) in zip(args, f.arguments).enumerated() where !arg.hasType(type) {
            return .failure(.wrongArgumentType(function: name, index: i, expected: type, found: arg.typeName))
        }
        return apply(name, args)
    }

    /// The function bodies; arguments are already checked against the signature.
    private static func apply(_ name: String, _ a: [Value]) -> Result<Value, ExtensionCallError> {
        func ok(_ v: Value?) -> Result<Value, ExtensionCallError> {
            v.map { .success($0) } ?? .failure(.overflow(function: name))
        }
        switch (name, a.first, a.count > 1 ? a[1] : nil) {
        case ("ip", .string(let s)?, _), ("decimal", .string(let s)?, _), ("datetime", .string(let s)?, _),
             ("duration", .string(let s)?, _):
            return Value.construct(name, s).map { .success($0) }
                ?? .failure(.invalidArgument(function: name, argument: s))
        case ("isIpv4", .ipaddr(let x)?, _): return .success(.bool(x.isIPv4))
        case ("isIpv6", .ipaddr(let x)?, _): return .success(.bool(x.isIPv6))
        case ("isLoopback", .ipaddr(let x)?, _): return .success(.bool(x.isLoopback))
        case ("isMulticast", .ipaddr(let x)?, _): return .success(.bool(x.isMulticast))
        case ("isInRange", .ipaddr(let x)?, .ipaddr(let y)?): return .success(.bool(x.isInRange(y)))
        case ("lessThan", .decimal(let x)?, .decimal(let y)?): return .success(.bool(x < y))
        case ("lessThanOrEqual", .decimal(let x)?, .decimal(let y)?): return .success(.bool(x <= y))
        case ("greaterThan", .decimal(let x)?, .decimal(let y)?): return .success(.bool(x > y))
        case ("greaterThanOrEqual", .decimal(let x)?, .decimal(let y)?): return .success(.bool(x >= y))
        case ("offset", .datetime(let x)?, .duration(let d)?): return ok(x.offset(by: d).map(Value.datetime))
        case ("durationSince", .datetime(let x)?, .datetime(let y)?): return ok(x.durationSince(y).map(Value.duration))
        case ("toDate", .datetime(let x)?, _): return ok(x.toDate().map(Value.datetime))
        case ("toTime", .datetime(let x)?, _): return .success(.duration(x.toTime()))
        case ("toDays", .duration(let d)?, _): return .success(.long(d.toDays))
        case ("toHours", .duration(let d)?, _): return .success(.long(d.toHours))
        case ("toMinutes", .duration(let d)?, _): return .success(.long(d.toMinutes))
        case ("toSeconds", .duration(let d)?, _): return .success(.long(d.toSeconds))
        case ("toMilliseconds", .duration(let d)?, _): return .success(.long(d.toMilliseconds))
        default:
            // INVARIANT: every function in the registry has a case above; the signature check already passed.
            return .failure(.unknownFunction(name))
        }
    }
}

extension Value {
    /// Whether this value has the extension-signature type `t`.
    public func hasType(_ t: ExtensionArgumentType) -> Bool {
        switch (self, t) {
        case (.bool, .bool), (.long, .long), (.string, .string), (.ipaddr, .ipaddr), (.decimal, .decimal),
             (.datetime, .datetime), (.duration, .duration):
            return true
        default:
            return false
        }
    }
}

extension Extensions {
    /// How to write a valid argument for a constructor (`ip`, `decimal`, `datetime`, `duration`), for the `help:`
    /// line of a diagnostic; `nil` for other functions.
    public static func formatHelp(constructor name: String) -> String? {
        switch name {
        case "ip":
            return "write an IPv4 or IPv6 address, optionally with a prefix length: `10.0.0.1`, `10.0.0.0/24`, "
                + "`ffee::/64` (IPv4 embedded in IPv6, like `::ffff:1.2.3.4`, is not accepted)"
        case "decimal":
            return "write digits, a `.` and one to four digits, optionally after `-`: `12.34`, `-0.5`; the range is "
                + "-922337203685477.5808 to 922337203685477.5807"
        case "datetime":
            return "write `YYYY-MM-DD`, optionally followed by `Thh:mm:ss` and then `Z`, `.SSSZ`, `+hhmm`, "
                + "`-hhmm` or `.SSS+hhmm`: `2024-10-15`, `2024-10-15T11:35:00Z`"
        case "duration":
            return "write quantity-unit pairs in the order `d`, `h`, `m`, `s`, `ms`, each at most once, with an "
                + "optional leading `-`: `1d2h`, `-90m`, `250ms`"
        default:
            return nil
        }
    }
}
