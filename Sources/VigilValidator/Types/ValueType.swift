import VigilPolicy
import VigilSchema

/// The type of a Cedar expression as the strict typechecker sees it.
///
/// Richer than `SchemaType` in two ways, both needed to match Cedar's results: booleans carry singleton types
/// (`true`, `false`) so the checker can tell that a branch or a conjunct can never run, and record types may be
/// open (only used for "any record" when an operand must be a record).
indirect enum ValueType: Hashable, Sendable, CustomStringConvertible {
    /// The bottom type, a subtype of every type (the element type of an empty set).
    case never
    case bool(BoolType)
    case long
    case string
    /// An entity of one named type. In strict mode the types of an entity expression never widen to a union.
    case entity(Name)
    /// Any entity at all; only an expectation or an unlinked slot.
    case anyEntity
    /// A set; `nil` element type means "any set", only an expectation.
    case set(ValueType?)
    case record(RecordShape)
    /// `ipaddr`, `decimal`, `datetime` or `duration`.
    case `extension`(String)

    /// Which booleans a `Bool`-typed expression can evaluate to.
    enum BoolType: Hashable, Sendable {
        case any
        case alwaysTrue
        case alwaysFalse
    }

    static let anyBool = ValueType.bool(.any)
    static let alwaysTrue = ValueType.bool(.alwaysTrue)
    static let alwaysFalse = ValueType.bool(.alwaysFalse)

    /// The singleton boolean type of `value`.
    static func singleton(_ value: Bool) -> ValueType { value ? .alwaysTrue : .alwaysFalse }

    /// The validator type of a schema type.
    init(_ schemaType: SchemaType) {
        switch schemaType {
        case .bool: self = .anyBool
        case .long: self = .long
        case .string: self = .string
        case .set(let element): self = .set(ValueType(element))
        case .record(let record): self = .record(RecordShape(record))
        case .entity(let name): self = .entity(name)
        case .extension(let name): self = .extension(name)
        }
    }

    /// The type of an extension function's argument or result.
    init(_ argumentType: ExtensionArgumentType) {
        switch argumentType {
        case .bool: self = .anyBool
        case .long: self = .long
        case .string: self = .string
        case .ipaddr, .decimal, .datetime, .duration: self = .extension(argumentType.rawValue)
        }
    }

    /// The element type when this is a set with a known element type.
    var setElement: ValueType? {
        if case .set(let element) = self { return element }
        return nil
    }

    /// The entity type name when this is an entity of one named type.
    var entityName: Name? {
        if case .entity(let name) = self { return name }
        return nil
    }

    /// Cedar's spelling of the type, for messages. Singleton booleans print as `Bool`: users never write them.
    var description: String {
        switch self {
        case .never: return "Never"
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity(let name): return name.description
        case .anyEntity: return "entity"
        case .set(let element): return element.map { "Set<\($0)>" } ?? "Set"
        case .record(let shape): return shape.description
        case .extension(let name): return name
        }
    }
}

/// The attributes of a record type, each required or optional.
struct RecordShape: Hashable, Sendable, CustomStringConvertible {
    /// One attribute's type and whether it is always present.
    struct Attribute: Hashable, Sendable {
        var type: ValueType
        var isRequired: Bool
    }

    var attributes: [String: Attribute]
    /// Whether values may carry attributes not listed. Only "any record" is open; schema and literal records are
    /// closed.
    var isOpen: Bool

    init(attributes: [String: Attribute], isOpen: Bool = false) {
        self.attributes = attributes
        self.isOpen = isOpen
    }

    init(_ record: RecordType) {
        var attributes: [String: Attribute] = [:]
        for (name, attribute) in record.attributes {
            attributes[name] = Attribute(type: ValueType(attribute.type), isRequired: attribute.isRequired)
        }
        self.init(attributes: attributes)
    }

    var description: String {
        let fields = attributes.keys.sorted().map { key -> String in
            let attribute = attributes[key] ?? Attribute(type: .never, isRequired: true)
            return "\(attributeName(key))\(attribute.isRequired ? "" : "?"): \(attribute.type)"
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// `name` as written after a dot or as a record key: bare when it is an identifier, else quoted.
func attributeName(_ name: String) -> String {
    CedarIdentifier.isBare(name) ? name : CedarString.quote(name)
}
