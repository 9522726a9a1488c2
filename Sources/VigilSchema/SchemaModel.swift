import VigilPolicy

/// A type in a resolved schema: common types are inlined and every entity name is fully qualified.
public indirect enum SchemaType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case set(SchemaType)
    case record(RecordType)
    case entity(Name)
    /// An extension type: `ipaddr`, `decimal`, `datetime` or `duration`.
    case `extension`(String)

    public var description: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .set(let t): return "Set<\(t)>"
        case .record(let r): return r.description
        case .entity(let n): return n.description
        case .extension(let n): return n
        }
    }
}

/// One attribute of a record type.
public struct AttributeType: Hashable, Sendable {
    public var type: SchemaType
    public var isRequired: Bool

    public init(type: SchemaType, isRequired: Bool = true) {
        self.type = type
        self.isRequired = isRequired
    }
}

/// A record type: named attributes, each required or optional. Records in a schema are closed: attributes not
/// listed are not allowed.
public struct RecordType: Hashable, Sendable, CustomStringConvertible {
    public var attributes: [String: AttributeType]

    public init(attributes: [String: AttributeType] = [:]) {
        self.attributes = attributes
    }

    public var description: String {
        let fields = attributes.keys.sorted().map { k -> String in
            let a = attributes[k]!
            return "\(CedarString.quote(k))\(a.isRequired ? "" : "?"): \(a.type)"
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// An entity type declared in a schema.
public struct EntityTypeDefinition: Hashable, Sendable {
    public var name: Name
    /// Types this type's entities may be members of (`entity User in [Group]`).
    public var memberOfTypes: Set<Name>
    /// The attributes (`entity User = { … }`).
    public var attributes: RecordType
    /// The type of tag values, when the type declares `tags T`.
    public var tags: SchemaType?
    /// For an enumerated type (`entity Color enum ["red", "blue"]`), the only valid ids.
    public var enumIDs: [String]?
    /// Where it was declared.
    public var span: SourceSpan

    public init(
        name: Name, memberOfTypes: Set<Name> = [], attributes: RecordType = RecordType(), tags: SchemaType? = nil,
        enumIDs: [String]? = nil, span: SourceSpan = .none
    ) {
        self.name = name
        self.memberOfTypes = memberOfTypes
        self.attributes = attributes
        self.tags = tags
        self.enumIDs = enumIDs
        self.span = span
    }

    /// Equal when everything but the span is equal: the same declaration read from the human format and from
    /// JSON compares equal.
    public static func == (a: EntityTypeDefinition, b: EntityTypeDefinition) -> Bool {
        a.name == b.name && a.memberOfTypes == b.memberOfTypes && a.attributes == b.attributes && a.tags == b.tags
            && a.enumIDs == b.enumIDs
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(memberOfTypes)
        h.combine(attributes)
        h.combine(tags)
        h.combine(enumIDs)
    }
}

/// An action declared in a schema.
public struct ActionDefinition: Hashable, Sendable {
    public var uid: EntityUID
    /// Action groups this action is a member of (`action read in [readOnly]`).
    public var memberOf: Set<EntityUID>
    /// Principal types it applies to. Empty when the action has no `appliesTo` or an empty list: such an action
    /// applies to no request.
    public var principalTypes: Set<Name>
    /// Resource types it applies to (empty: none).
    public var resourceTypes: Set<Name>
    /// The type of `context` for requests with this action.
    public var context: RecordType
    public var span: SourceSpan

    public init(
        uid: EntityUID, memberOf: Set<EntityUID> = [], principalTypes: Set<Name> = [], resourceTypes: Set<Name> = [],
        context: RecordType = RecordType(), span: SourceSpan = .none
    ) {
        self.uid = uid
        self.memberOf = memberOf
        self.principalTypes = principalTypes
        self.resourceTypes = resourceTypes
        self.context = context
        self.span = span
    }

    /// Equal when everything but the span is equal.
    public static func == (a: ActionDefinition, b: ActionDefinition) -> Bool {
        a.uid == b.uid && a.memberOf == b.memberOf && a.principalTypes == b.principalTypes
            && a.resourceTypes == b.resourceTypes && a.context == b.context
    }

    public func hash(into h: inout Hasher) {
        h.combine(uid)
        h.combine(memberOf)
        h.combine(principalTypes)
        h.combine(resourceTypes)
        h.combine(context)
    }
}

/// A resolved Cedar schema: every name qualified, common types inlined, references checked.
///
/// Built by `Schema.parse(cedarSchema:)` from the human-readable format or `Schema.parse(json:)` from the JSON
/// format; both produce the same model.
///
/// Two schemas are equal when they declare the same entity types and actions; the file they came from is not
/// compared.
public struct Schema: Sendable, Equatable {
    public var entityTypes: [Name: EntityTypeDefinition]
    public var actions: [EntityUID: ActionDefinition]
    /// The file the schema was read from, for diagnostics.
    public var file: SourceFile?

    public init(
        entityTypes: [Name: EntityTypeDefinition] = [:], actions: [EntityUID: ActionDefinition] = [:],
        file: SourceFile? = nil
    ) {
        self.entityTypes = entityTypes
        self.actions = actions
        self.file = file
    }

    public static func == (a: Schema, b: Schema) -> Bool {
        a.entityTypes == b.entityTypes && a.actions == b.actions
    }
}
