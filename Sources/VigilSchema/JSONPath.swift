import VigilPolicy

/// The path of a value in a JSON schema, as shown in diagnostics: `NS.entityTypes.User.memberOfTypes[0]`.
/// Keys that are not plain identifiers are quoted (`"".entityTypes."my type"`).
struct JSONPath: Sendable, CustomStringConvertible {
    private var text = ""

    /// The path of the member `key` of the object at this path.
    func key(_ key: String) -> JSONPath {
        var p = self
        if !p.text.isEmpty { p.text += "." }
        p.text += SchemaNames.isIdentifier(key) ? key : CedarString.quote(key)
        return p
    }

    /// The path of element `index` of the array at this path.
    func index(_ index: Int) -> JSONPath {
        var p = self
        p.text += "[\(index)]"
        return p
    }

    var description: String { text }
}
