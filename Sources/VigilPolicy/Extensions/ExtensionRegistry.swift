/// The types that appear in extension function signatures.
public enum ExtensionArgumentType: String, Hashable, Sendable {
    case bool = "Bool"
    case long = "Long"
    case string = "String"
    case ipaddr
    case decimal
    case datetime
    case duration
}

/// How an extension function is written: `f(x)` or `x.f()`.
public enum CallStyle: Hashable, Sendable {
    case function
    case method
}

/// The signature of one extension function.
public struct ExtensionFunction: Hashable, Sendable {
    public var name: String
    public var style: CallStyle
    /// Argument types; for a method the first is the receiver.
    public var arguments: [ExtensionArgumentType]
    public var result: ExtensionArgumentType
    /// Whether the function parses its string argument into a value (`ip`, `decimal`, `datetime`, `duration`),
    /// so a literal argument can be checked ahead of time.
    public var isConstructor: Bool { style == .function }
}

/// Cedar's built-in extension functions (ipaddr, decimal, datetime, duration), one table for the parser (which
/// rejects unknown names and wrong call styles) and the validator (which types the calls).
public enum Extensions {
    /// Every extension function, keyed by name. Names are unique across extensions.
    public static let functions: [String: ExtensionFunction] = {
        var table: [String: ExtensionFunction] = [:]
        func add(_ name: String, _ style: CallStyle, _ args: [ExtensionArgumentType], _ result: ExtensionArgumentType) {
            precondition(table[name] == nil, "duplicate extension function \(name)")
            table[name] = ExtensionFunction(name: name, style: style, arguments: args, result: result)
        }
        // ipaddr
        add("ip", .function, [.string], .ipaddr)
        add("isIpv4", .method, [.ipaddr], .bool)
        add("isIpv6", .method, [.ipaddr], .bool)
        add("isLoopback", .method, [.ipaddr], .bool)
        add("isMulticast", .method, [.ipaddr], .bool)
        add("isInRange", .method, [.ipaddr, .ipaddr], .bool)
        // decimal
        add("decimal", .function, [.string], .decimal)
        add("lessThan", .method, [.decimal, .decimal], .bool)
        add("lessThanOrEqual", .method, [.decimal, .decimal], .bool)
        add("greaterThan", .method, [.decimal, .decimal], .bool)
        add("greaterThanOrEqual", .method, [.decimal, .decimal], .bool)
        // datetime and duration
        add("datetime", .function, [.string], .datetime)
        add("duration", .function, [.string], .duration)
        add("offset", .method, [.datetime, .duration], .datetime)
        add("durationSince", .method, [.datetime, .datetime], .duration)
        add("toDate", .method, [.datetime], .datetime)
        add("toTime", .method, [.datetime], .duration)
        add("toDays", .method, [.duration], .long)
        add("toHours", .method, [.duration], .long)
        add("toMinutes", .method, [.duration], .long)
        add("toSeconds", .method, [.duration], .long)
        add("toMilliseconds", .method, [.duration], .long)
        return table
    }()

    /// Built-in (non-extension) methods and the number of arguments each takes besides the receiver.
    public static let builtinMethods: [String: Int] = [
        "contains": 1, "containsAll": 1, "containsAny": 1, "isEmpty": 0, "getTag": 1, "hasTag": 1,
    ]
}
