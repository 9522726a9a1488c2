/// A Cedar value: what an expression evaluates to, what an entity attribute or tag holds, what `context` is.
///
/// The one value model shared by the data loaders, the validator and the compiler. It is exact and plain:
/// sets and records are unordered (`Set`, `Dictionary`), so two values are equal exactly when Cedar says they are
/// (`[1, 2] == [2, 1]`, records compare by keys and values), and extension values hold their parsed form, never
/// their source text (`decimal("1.0") == decimal("1.00")`).
public indirect enum Value: Hashable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case set(Set<Value>)
    case record([String: Value])
    case ipaddr(IPAddrValue)
    case decimal(DecimalValue)
    case datetime(DatetimeValue)
    case duration(DurationValue)

    /// Cedar's equality. Strings compare by code points, as Cedar's do, not by Swift's canonical equivalence, so
    /// `"é"` precomposed differs from `"e\u{301}"`. (Record keys are Swift dictionary keys and so are compared
    /// canonically; the JSON readers refuse two keys that Swift would merge.) The synthesized hash stays valid:
    /// values equal here are canonically equal, so they hash alike.
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.long(let x), .long(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.entity(let x), .entity(let y)): return x == y
        case (.set(let x), .set(let y)): return x == y
        case (.record(let x), .record(let y)): return x == y
        case (.ipaddr(let x), .ipaddr(let y)): return x == y
        case (.decimal(let x), .decimal(let y)): return x == y
        case (.datetime(let x), .datetime(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        default: return false
        }
    }

    /// The name of this value's type as Cedar writes it in messages and schemas: `Bool`, `Long`, `String`, the
    /// entity's type name, `Set`, `Record`, `ipaddr`, `decimal`, `datetime`, `duration`.
    public var typeName: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity(let uid): return uid.type.description
        case .set: return "Set"
        case .record: return "Record"
        case .ipaddr: return "ipaddr"
        case .decimal: return "decimal"
        case .datetime: return "datetime"
        case .duration: return "duration"
        }
    }

    /// Builds an extension value from its constructor name and string argument, as `ip("…")`, `decimal("…")`,
    /// `datetime("…")` or `duration("…")` would.
    /// - Returns: the value, or `nil` when `function` is not a constructor or `argument` is invalid for it.
    public static func construct(_ function: String, _ argument: String) -> Value? {
        switch function {
        case "ip": return IPAddrValue.parse(argument).map(Value.ipaddr)
        case "decimal": return DecimalValue.parse(argument).map(Value.decimal)
        case "datetime": return DatetimeValue.parse(argument).map(Value.datetime)
        case "duration": return DurationValue.parse(argument).map(Value.duration)
        default: return nil
        }
    }
}
