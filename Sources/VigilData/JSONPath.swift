import VigilPolicy

/// The path of a value inside a JSON document, as diagnostics show it: `[3].attrs.owner`, `[0].parents[1]`.
/// Keys that are not plain identifiers are quoted (`[0].attrs."home address"`), as in schema diagnostics.
struct JSONPath: Sendable, CustomStringConvertible {
    private var text = ""

    /// The document root; it prints as the empty string.
    static let root = JSONPath()

    /// The path of member `key` of the object at this path.
    func key(_ key: String) -> JSONPath {
        var p = self
        if !p.text.isEmpty { p.text += "." }
        p.text += Name(normalized: key).map { $0.isUnqualified } == true ? key : CedarString.quote(key)
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
