import VigilPolicy

/// What an operator requires of an operand's type.
///
/// Cedar checks operands against "any entity", "any record" and "any set" with width subtyping even in strict
/// mode (an operand of `.` may be any record, whatever its attributes), so these checks are kinds rather than
/// strict subtyping.
enum Expectation: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case entity
    case entityOrRecord
    case set
    /// The right operand of `in`: an entity or a set of entities.
    case entityOrEntitySet
    case `extension`(String)

    /// The expectation for an extension function argument of type `type`.
    static func argument(_ type: ExtensionArgumentType) -> Expectation {
        switch type {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .ipaddr, .decimal, .datetime, .duration: return .extension(type.rawValue)
        }
    }

    /// Whether a value of type `actual` meets the expectation.
    func accepts(_ actual: ValueType) -> Bool {
        if case .never = actual { return true }
        switch (self, actual) {
        case (.bool, .bool), (.long, .long), (.string, .string): return true
        case (.entity, .entity), (.entity, .anyEntity): return true
        case (.entityOrRecord, .entity), (.entityOrRecord, .anyEntity), (.entityOrRecord, .record): return true
        case (.set, .set): return true
        case (.entityOrEntitySet, .entity), (.entityOrEntitySet, .anyEntity): return true
        case (.entityOrEntitySet, .set(let element)):
            switch element {
            case .entity?, .anyEntity?, .never?: return true
            default: return false
            }
        case (.extension(let a), .extension(let b)): return a == b
        default: return false
        }
    }

    /// Cedar's wording of the expected type(s).
    var description: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity: return "an entity"
        case .entityOrRecord: return "an entity or a record"
        case .set: return "a set"
        case .entityOrEntitySet: return "an entity or a set of entities"
        case .extension(let name): return name
        }
    }
}
