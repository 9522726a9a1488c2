import VigilPolicy

/// An entity uid with placeholders in its id, such as `Document::"{id}"` or `User::"{sub}"`.
///
/// The text is Cedar's uid syntax: a type name, `::`, and a quoted id with Cedar's string escapes. Inside the id,
/// `{name}` is a placeholder and `{{` and `}}` are literal braces. Rendering substitutes the values as they are:
/// the id is handed to the evaluator as raw bytes, never as Cedar text, so a value holding quotes or backslashes
/// cannot change the uid's type or escape its id.
public struct UIDTemplate: Hashable, Sendable, CustomStringConvertible {
    enum Part: Hashable, Sendable {
        case text(String)
        case placeholder(String)
    }

    public var type: Name
    var parts: [Part]
    /// The template as written.
    public var description: String

    /// Reads a template.
    /// - Throws: a `Diagnostic` (`vigil.forward_auth.bad_uid`) without a location; the caller adds it.
    public init(parsing text: String) throws(Diagnostic) {
        description = text
        func bad(_ message: String, help: String? = nil) -> Diagnostic {
            Diagnostic(code: "vigil.forward_auth.bad_uid", message: message,
                       help: help ?? "write an entity uid such as `Document::\"{id}\"`")
        }
        let bytes = Array(text.utf8)
        guard let quote = bytes.firstIndex(of: UInt8(ascii: "\"")), quote >= 2,
              bytes[quote - 2] == UInt8(ascii: ":"), bytes[quote - 1] == UInt8(ascii: ":") else {
            throw bad("invalid entity uid `\(text)`")
        }
        let typeText = String(decoding: bytes[..<(quote - 2)], as: UTF8.self)
        let components = typeText.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard components.allSatisfy(CedarIdentifier.isValid), let basename = components.last else {
            throw bad("invalid entity type `\(typeText)`")
        }
        type = Name(namespace: Array(components.dropLast()), basename: basename)
        // The id runs to the first unescaped quote, which must be the last character.
        var i = quote + 1
        var close: Int?
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == UInt8(ascii: "\"") { close = i; break }
            i += 1
        }
        guard let close, close == bytes.count - 1 else {
            throw bad("invalid entity uid `\(text)`: the id must be one quoted string")
        }
        let id: String
        switch CedarString.unescape(bytes[(quote + 1)..<close]) {
        case .success(let s): id = s
        case .failure(let e): throw bad("invalid entity uid `\(text)`: \(e.message)", help: nil)
        }
        parts = try Self.split(id, bad)
    }

    /// Splits an id into text and `{placeholder}` parts; `{{` and `}}` are literal braces.
    private static func split(_ id: String, _ bad: (String, String?) -> Diagnostic) throws(Diagnostic) -> [Part] {
        let chars = Array(id)
        var parts: [Part] = []
        var text = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let next = i + 1 < chars.count ? chars[i + 1] : nil
            if (c == "{" || c == "}") && next == c {
                text.append(c)
                i += 2
                continue
            }
            if c == "}" { throw bad("unmatched `}` in an entity id", "write `}}` for a literal `}`") }
            if c != "{" {
                text.append(c)
                i += 1
                continue
            }
            let brace = chars[(i + 1)...].firstIndex { $0 == "}" || $0 == "{" }
            guard let close = brace, chars[close] == "}" else {
                throw bad("unclosed placeholder in an entity id", "write `{{` for a literal `{`")
            }
            let name = String(chars[(i + 1)..<close])
            guard !name.isEmpty else { throw bad("empty placeholder `{}` in an entity id", nil) }
            if !text.isEmpty { parts.append(.text(text)); text = "" }
            parts.append(.placeholder(name))
            i = close + 1
        }
        if !text.isEmpty { parts.append(.text(text)) }
        return parts
    }

    /// The placeholder names, in order of appearance.
    public var placeholders: [String] {
        parts.compactMap { if case .placeholder(let n) = $0 { n } else { nil } }
    }

    /// The uid with each placeholder replaced by `value(name)`, or `nil` when some value is missing.
    public func render(_ value: (String) -> String?) -> EntityUID? {
        var id = ""
        for part in parts {
            switch part {
            case .text(let t): id += t
            case .placeholder(let name):
                guard let v = value(name) else { return nil }
                id += v
            }
        }
        return EntityUID(type: type, id: id)
    }
}
