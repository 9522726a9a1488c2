import VigilPolicy
import VigilSchema

/// Collects the problems found in one JSON document, so a run reports all of them at once.
struct DiagnosticSink {
    let file: SourceFile
    private(set) var all: [Diagnostic] = []

    init(file: SourceFile) {
        self.file = file
    }

    /// Records an error at `span` for the value at `path`.
    mutating func error(
        _ code: String, _ message: String, at span: SourceSpan, path: JSONPath, help: String? = nil
    ) {
        let p = path.description
        all.append(Diagnostic(
            code: code, message: message, file: file, span: span, jsonPath: p.isEmpty ? nil : p, help: help))
    }

    /// Throws everything recorded, if anything was.
    func check() throws(Diagnostics) {
        if !all.isEmpty { throw Diagnostics(all) }
    }
}

/// One member of a JSON object.
typealias JSONMember = (key: String, keySpan: SourceSpan, value: JSONNode)

/// Helpers for reading parsed JSON.
extension JSONNode {
    /// The members when this is an object.
    var members: [JSONMember]? {
        if case .object(let m) = value { return m }
        return nil
    }

    /// The text when this is a string.
    var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// The elements when this is an array.
    var elements: [JSONNode]? {
        if case .array(let a) = value { return a }
        return nil
    }

    /// The kind with an article, for messages: "an object", "a string".
    var kindWithArticle: String {
        switch kindName {
        case "object", "array": return "an \(kindName)"
        case "null": return "`null`"
        default: return "a \(kindName)"
        }
    }
}

/// The candidate closest to `word`, when it is close enough to be a plausible typo.
func closest(to word: String, among candidates: some Sequence<String>) -> String? {
    let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { a, b in
        a.1 != b.1 ? a.1 < b.1 : a.0 < b.0
    }
    guard let best, best.1 <= max(1, word.count / 3) else { return nil }
    return best.0
}

/// A did-you-mean hint naming the candidate closest to `word`, if any is close.
func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
    closest(to: word, among: candidates).map { "did you mean `\($0)`?" }
}

/// A did-you-mean hint for an undeclared action: the closest declared action of the same type.
func actionSuggestion(for uid: EntityUID, in schema: Schema) -> String? {
    suggestion(for: uid.id, among: schema.actions.keys.filter { $0.type == uid.type }.map(\.id))
}

/// A short Cedar rendering of a value for messages, cut at 60 characters.
func brief(_ v: Value) -> String {
    let s = v.description
    return s.count <= 60 ? s : String(s.prefix(57)) + "..."
}
