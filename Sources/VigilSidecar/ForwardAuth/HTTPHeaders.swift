/// Case-insensitive lookups in a request's header list, kept as the server received it (order and repeats).
struct HTTPHeaders: Sendable {
    let fields: [(name: String, value: String)]

    /// Every value of header `name`, in order.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.utf8.count == name.utf8.count && $0.name.lowercased() == name.lowercased() }
            .map(\.value)
    }

    /// The value of a header that may appear at most once: `nil` when absent.
    /// - Throws: `ForwardAuthRequestProblem.repeatedHeader` when it appears more than once, since two copies of a
    ///   header that names the request or the caller mean a client has added its own.
    func single(_ name: String) throws(ForwardAuthRequestProblem) -> String? {
        let all = values(name)
        guard all.count <= 1 else { throw .repeatedHeader(name) }
        return all.first
    }
}

/// Why a forward-auth request could not be authorized at all (an invalid request, never a decision).
public enum ForwardAuthRequestProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case missingHeader(String)
    case repeatedHeader(String)
    case badMethod
    case notUnderPrefix(String)
    case target(RequestTarget.Problem)
    case badContextValue(field: String)
    case missingContextValue(field: String)
    /// A route built in code names a placeholder its path does not capture (the loader refuses such routes).
    case unresolvedPlaceholder(String)

    public var description: String {
        switch self {
        case .missingHeader(let h): return "the request has no `\(h)` header"
        case .repeatedHeader(let h): return "the request has more than one `\(h)` header"
        case .badMethod: return "the original method is not a valid HTTP method"
        case .notUnderPrefix(let p): return "the request path is not under `\(p)/`"
        case .target(let p): return p.description
        case .badContextValue(let f): return "the value for context field `\(f)` is not valid for its type"
        case .missingContextValue(let f): return "the request has no value for the required context field `\(f)`"
        case .unresolvedPlaceholder(let t): return "the route's uid `\(t)` has a placeholder its path does not capture"
        }
    }
}
