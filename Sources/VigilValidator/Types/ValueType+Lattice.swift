/// Why two types have no least upper bound, for the help line of an "incompatible types" error.
enum LubFailure: Error, Hashable, Sendable {
    case attributeQualifier
    case recordWidth
    case entityType
    case entityRecord
    case mismatch

    var help: String {
        switch self {
        case .attributeQualifier:
            return "corresponding attributes of compatible record types must have the same optionality, either both "
                + "being required or both being optional"
        case .recordWidth: return "compatible record types must have exactly the same attributes"
        case .entityType:
            return "different entity types are never compatible even when their attributes would be compatible"
        case .entityRecord:
            return "entity and record types are never compatible even when their attributes would be compatible"
        case .mismatch: return "types must be exactly equal to be compatible"
        }
    }
}

extension ValueType {
    /// Strict-mode subtyping: no width subtyping for records, no widening of entity types, and attribute
    /// optionality must match exactly.
    func isSubtype(of other: ValueType) -> Bool {
        switch (self, other) {
        case (.never, _): return true
        case (.bool(let a), .bool(let b)): return a == b || b == .any
        case (.long, .long), (.string, .string), (.anyEntity, .anyEntity): return true
        case (.set(let a), .set(let b)):
            guard let b else { return true }
            guard let a else { return false }
            return a.isSubtype(of: b)
        case (.record(let a), .record(let b)):
            guard !a.isOpen || b.isOpen, a.attributes.count == b.attributes.count else { return false }
            return b.attributes.allSatisfy { key, bAttribute in
                guard let aAttribute = a.attributes[key] else { return false }
                return aAttribute.isRequired == bAttribute.isRequired && aAttribute.type.isSubtype(of: bAttribute.type)
            }
        case (.entity(let a), .entity(let b)): return a == b
        case (.extension(let a), .extension(let b)): return a == b
        default: return false
        }
    }

    /// The strict-mode least upper bound of two types, or why there is none.
    static func leastUpperBound(_ a: ValueType, _ b: ValueType) -> Result<ValueType, LubFailure> {
        if a.isSubtype(of: b) { return .success(b) }
        if b.isSubtype(of: a) { return .success(a) }
        switch (a, b) {
        case (.bool, .bool): return .success(.anyBool)
        case (.set(nil), .set), (.set, .set(nil)): return .success(.set(nil))
        case (.set(.some(let x)), .set(.some(let y))):
            return leastUpperBound(x, y).map { .set($0) }
        case (.record(let x), .record(let y)):
            guard Set(x.attributes.keys) == Set(y.attributes.keys) else { return .failure(.recordWidth) }
            var attributes: [String: RecordShape.Attribute] = [:]
            for (key, xAttribute) in x.attributes {
                guard let yAttribute = y.attributes[key] else { return .failure(.recordWidth) }
                switch leastUpperBound(xAttribute.type, yAttribute.type) {
                case .failure(let why): return .failure(why)
                case .success(let type):
                    guard xAttribute.isRequired == yAttribute.isRequired else {
                        return .failure(.attributeQualifier)
                    }
                    attributes[key] = RecordShape.Attribute(type: type, isRequired: xAttribute.isRequired)
                }
            }
            return .success(.record(RecordShape(attributes: attributes, isOpen: x.isOpen || y.isOpen)))
        case (.entity, .entity), (.entity, .anyEntity), (.anyEntity, .entity): return .failure(.entityType)
        case (.entity, .record), (.anyEntity, .record), (.record, .entity), (.record, .anyEntity):
            return .failure(.entityRecord)
        default: return .failure(.mismatch)
        }
    }

    /// The least upper bound of a list of types (`never` for an empty list).
    static func leastUpperBound(of types: [ValueType]) -> Result<ValueType, LubFailure> {
        var lub = ValueType.never
        for t in types {
            switch leastUpperBound(lub, t) {
            case .success(let next): lub = next
            case .failure(let why): return .failure(why)
            }
        }
        return .success(lub)
    }
}
