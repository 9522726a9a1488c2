import VigilPolicy

// The unresolved schema both readers produce. It mirrors what was written: names as written (not yet qualified),
// common types not inlined, references not checked. `SchemaResolver` turns it into the public `Schema`, so the
// name-resolution rules exist once for both formats.

/// Where a piece of a schema was written: its span and, for JSON input, the path of the value.
struct Origin: Sendable {
    var span: SourceSpan
    var jsonPath: String?

    init(_ span: SourceSpan, jsonPath: String? = nil) {
        self.span = span
        self.jsonPath = jsonPath
    }
}

/// A type or namespace name as written, with where it was written.
struct RawName: Sendable {
    var name: Name
    var origin: Origin
}

/// What a reference may resolve to. The human format writes every type name the same way (`EntityOrCommon`);
/// JSON distinguishes `Entity`, `EntityOrCommon` and a bare common-type name.
enum ReferenceKind: Sendable {
    case entity
    case common
    case entityOrCommon

    var allowsCommon: Bool { self != .entity }
    var allowsEntity: Bool { self != .common }

    /// How a failed reference is described: "as a common type", "as an entity type", …
    var description: String {
        switch self {
        case .entity: return "an entity type"
        case .common: return "a common type"
        case .entityOrCommon: return "a common or entity type"
        }
    }
}

/// A type expression as written.
indirect enum RawTypeKind: Sendable {
    case long, string, bool
    case set(RawType)
    /// Attributes in source order; a later attribute with the same name replaces an earlier one, as in Cedar.
    case record([RawAttribute])
    case reference(RawName, ReferenceKind)
    /// An extension type written explicitly (JSON `{"type": "Extension", "name": …}`).
    case `extension`(String)
}

struct RawType: Sendable {
    var kind: RawTypeKind
    var origin: Origin
}

struct RawAttribute: Sendable {
    var name: String
    var type: RawType
    var isRequired: Bool
}

struct RawEntityType: Sendable {
    var name: String
    var origin: Origin
    var memberOf: [RawName]
    /// The attributes; `nil` means none (an empty record).
    var shape: RawType?
    var tags: RawType?
    var enumIDs: [String]?
}

/// A reference to a parent action: `read`, `Action::"read"`, `NS::Action::"read"`; `type` is `nil` when only
/// the id was written.
struct RawActionRef: Sendable {
    var type: RawName?
    var id: String
    var origin: Origin
}

struct RawAppliesTo: Sendable {
    var principals: [RawName]
    var resources: [RawName]
    /// `nil` means the empty record.
    var context: RawType?
}

struct RawAction: Sendable {
    var name: String
    var origin: Origin
    var memberOf: [RawActionRef]
    /// `nil` when the action has no `appliesTo`: it applies to nothing.
    var appliesTo: RawAppliesTo?
}

struct RawCommonType: Sendable {
    var name: String
    var origin: Origin
    var type: RawType
}

struct RawNamespace: Sendable {
    /// Components of the namespace name; empty for the empty namespace.
    var path: [String]
    var entityTypes: [RawEntityType] = []
    var actions: [RawAction] = []
    var commonTypes: [RawCommonType] = []
}

struct RawSchema: Sendable {
    var namespaces: [RawNamespace]
}
