import VigilPolicy

/// A route's path pattern: literal segments, whole-segment parameters (`/docs/{id}`) and an optional trailing
/// wildcard (`/files/*`) that matches one or more remaining segments.
///
/// Literal segments are percent-decoded once when the pattern is read, so they compare with the decoded segments of
/// a `RequestTarget`. Matching is exact and case-sensitive; a trailing slash is a final empty segment.
public struct PathPattern: Hashable, Sendable, CustomStringConvertible {
    public enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String)
    }

    /// The placeholder that names the text a trailing wildcard matched.
    public static let wildcardName = "*"

    public var segments: [Segment]
    /// Whether the pattern ends in `/*`.
    public var wildcard: Bool
    /// The pattern as written.
    public var description: String

    /// Reads a pattern.
    /// - Throws: a `Diagnostic` (`vigil.forward_auth.bad_path`) without a location; the caller adds it.
    public init(parsing text: String) throws(Diagnostic) {
        description = text
        func bad(_ message: String, help: String? = nil) -> Diagnostic {
            Diagnostic(code: "vigil.forward_auth.bad_path", message: message, help: help)
        }
        guard text.hasPrefix("/") else { throw bad("a path pattern must start with `/`") }
        var parts = Array(text.utf8).dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        wildcard = parts.last.map { $0.elementsEqual("*".utf8) } ?? false
        if wildcard { parts.removeLast() }
        var names: Set<String> = []
        segments = []
        for (i, part) in parts.enumerated() {
            let s = String(decoding: part, as: UTF8.self)
            if s.hasPrefix("{") && s.hasSuffix("}") && s.count >= 2 {
                let name = String(s.dropFirst().dropLast())
                guard CedarIdentifier.isValid(name) else {
                    throw bad("invalid parameter name `\(name)`", help: "a parameter is a whole segment `{name}`, "
                              + "with letters, digits and `_`")
                }
                guard names.insert(name).inserted else { throw bad("parameter `\(name)` appears twice") }
                segments.append(.parameter(name))
                continue
            }
            if s.contains("{") || s.contains("}") {
                throw bad("invalid segment `\(s)`", help: "a parameter must be a whole segment, such as `/{id}`")
            }
            if s.contains("*") {
                throw bad("invalid segment `\(s)`", help: "`*` is a whole last segment, as in `/files/*`")
            }
            if s.isEmpty && (i != parts.count - 1 || wildcard) { throw bad("a path pattern has an empty segment") }
            let literal: String
            do {
                literal = try RequestTarget.decode(part)
            } catch {
                throw bad("invalid segment `\(s)`: \(error)")
            }
            if literal == "." || literal == ".." { throw bad("a path pattern cannot have `.` or `..` segments") }
            segments.append(.literal(literal))
        }
    }

    /// The parameter names, in order, followed by `*` when the pattern ends in a wildcard.
    public var placeholders: [String] {
        let parameters = segments.compactMap { if case .parameter(let n) = $0 { n } else { nil } }
        return parameters + (wildcard ? [Self.wildcardName] : [])
    }

    /// The captured values when `segments` match, keyed by parameter name (the wildcard's value, its segments
    /// joined with `/`, under `*`); `nil` when they do not.
    public func match(_ path: [String]) -> [String: String]? {
        if wildcard ? path.count <= segments.count : path.count != segments.count { return nil }
        var captured: [String: String] = [:]
        for (pattern, value) in zip(segments, path) {
            switch pattern {
            case .literal(let l):
                guard l == value else { return nil }
            case .parameter(let name):
                // A parameter never matches an empty segment: `/docs/` is not `/docs/{id}`.
                guard !value.isEmpty else { return nil }
                captured[name] = value
            }
        }
        if wildcard { captured[Self.wildcardName] = path[segments.count...].joined(separator: "/") }
        return captured
    }

    /// Ranks patterns that match the same path: compared lexicographically, the greater is more specific (a
    /// literal segment beats a parameter, a parameter beats the wildcard).
    var specificity: [Int] {
        segments.map { if case .literal = $0 { 2 } else { 1 } } + (wildcard ? [0] : [])
    }

    /// Equal for two patterns that match exactly the same paths (parameter names aside).
    var shape: [String] {
        segments.map { if case .literal(let l) = $0 { "=" + l } else { "{}" } } + (wildcard ? ["*"] : [])
    }
}
