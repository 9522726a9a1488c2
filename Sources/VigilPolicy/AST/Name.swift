/// A possibly namespaced Cedar name: `User`, `PhotoApp::Photo`, `__cedar::Long`.
public struct Name: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Namespace components, outermost first; empty for an unqualified name.
    public var namespace: [String]
    /// The last component.
    public var basename: String

    public init(namespace: [String] = [], basename: String) {
        self.namespace = namespace
        self.basename = basename
    }

    /// Splits `A::B::C` into its components. Performs no validation of the identifiers.
    public init(qualified: String) {
        var parts: [String] = []
        var rest = Substring(qualified)
        while let r = rest.firstRange(of: "::") {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        self.init(namespace: parts, basename: String(rest))
    }

    /// All components, namespace first.
    public var components: [String] { namespace + [basename] }

    /// `true` for a name with no namespace.
    public var isUnqualified: Bool { namespace.isEmpty }

    /// This name placed in `namespace` unless it is already qualified.
    public func qualified(in ns: [String]) -> Name {
        namespace.isEmpty ? Name(namespace: ns, basename: basename) : self
    }

    public var description: String { components.joined(separator: "::") }

    public static func < (a: Name, b: Name) -> Bool { a.description < b.description }
}

/// The unique id of an entity: its type and its id string, written `Type::"id"`.
public struct EntityUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var type: Name
    public var id: String

    public init(type: Name, id: String) {
        self.type = type
        self.id = id
    }

    /// `true` when this is an action, whose type's basename is `Action` (`Action::"read"`, `NS::Action::"read"`).
    public var isAction: Bool { type.basename == "Action" }

    /// Cedar's textual form with the id escaped: `User::"alice"`.
    public var description: String { "\(type)::\(CedarString.quote(id))" }

    public static func < (a: EntityUID, b: EntityUID) -> Bool {
        a.type != b.type ? a.type < b.type : a.id < b.id
    }
}
