/// The path of a value inside a JSON document, as diagnostics show it: `[3].attrs.owner`,
/// `NS.entityTypes.User.memberOfTypes[0]`. Keys that are not plain identifiers are quoted
/// (`[0].attrs."home address"`).
public struct JSONPath: Sendable, CustomStringConvertible {
    private var text = ""

    /// The document root; it prints as the empty string.
    public static let root = JSONPath()

    public init() {}

    /// The path of member `key` of the object at this path.
    public func key(_ key: String) -> JSONPath {
        var p = self
        if !p.text.isEmpty { p.text += "." }
        p.text += CedarIdentifier.isValid(key) ? key : CedarString.quote(key)
        return p
    }

    /// The path of element `index` of the array at this path.
    public func index(_ index: Int) -> JSONPath {
        var p = self
        p.text += "[\(index)]"
        return p
    }

    public var description: String { text }
}
