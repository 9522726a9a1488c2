import VigilPolicy

/// Reads typed values out of a parsed JSON document and throws located diagnostics (file, span, JSON path) for
/// anything else. One error is reported: the first.
struct ConfigReader {
    let file: SourceFile

    func fail(_ code: String, _ message: String, _ node: JSONNode, _ path: JSONPath, help: String? = nil)
        -> Diagnostics
    {
        Diagnostics(Diagnostic(code: "vigil.forward_auth." + code, message: message, file: file, span: node.span,
                               jsonPath: path.description, help: help))
    }

    /// A diagnostic made without a location (by `PathPattern` or `UIDTemplate`), placed at `node`.
    func place(_ d: Diagnostic, _ node: JSONNode, _ path: JSONPath) -> Diagnostics {
        var d = d
        (d.file, d.span, d.jsonPath) = (file, node.span, path.description)
        return Diagnostics(d)
    }

    /// The members of an object, refusing keys not in `allowed` (with a did-you-mean) and repeated keys.
    func object(_ node: JSONNode, _ path: JSONPath, allowed: [String]) throws(Diagnostics) -> [String: JSONNode] {
        guard case .object(let members) = node.value else {
            throw fail("type", "expected an object, found \(node.kindName)", node, path)
        }
        var out: [String: JSONNode] = [:]
        for m in members {
            let keyNode = JSONNode(.string(m.key), span: m.keySpan)
            guard allowed.contains(m.key) else {
                let best = allowed.min { editDistance(m.key, $0) < editDistance(m.key, $1) }
                let help = best.flatMap { editDistance(m.key, $0) <= 3 ? "did you mean `\($0)`?" : nil }
                    ?? "the keys here are " + allowed.map { "`\($0)`" }.joined(separator: ", ")
                throw fail("unknown_key", "unknown key `\(m.key)`", keyNode, path.key(m.key), help: help)
            }
            guard out[m.key] == nil else {
                throw fail("duplicate_key", "key `\(m.key)` appears twice", keyNode, path.key(m.key))
            }
            out[m.key] = m.value
        }
        return out
    }

    func string(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> String {
        guard case .string(let s) = node.value else {
            throw fail("type", "expected a string, found \(node.kindName)", node, path)
        }
        return s
    }

    func nonEmptyString(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> String {
        let s = try string(node, path)
        guard !s.isEmpty else { throw fail("empty", "expected a non-empty string", node, path) }
        return s
    }

    func bool(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> Bool {
        guard case .bool(let b) = node.value else {
            throw fail("type", "expected a boolean, found \(node.kindName)", node, path)
        }
        return b
    }

    func integer(_ node: JSONNode, _ path: JSONPath, in range: ClosedRange<Int64>) throws(Diagnostics) -> Int {
        guard case .integer(let i) = node.value else {
            throw fail("type", "expected an integer, found \(node.kindName)", node, path)
        }
        guard range.contains(i) else {
            throw fail("range", "`\(i)` is not between \(range.lowerBound) and \(range.upperBound)", node, path)
        }
        return Int(i)
    }

    func array(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> [JSONNode] {
        guard case .array(let items) = node.value else {
            throw fail("type", "expected an array, found \(node.kindName)", node, path)
        }
        return items
    }

    /// A string, or an array of strings.
    func strings(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> [String] {
        if case .string(let s) = node.value { return [s] }
        var out: [String] = []
        for (i, item) in try array(node, path).enumerated() { out.append(try nonEmptyString(item, path.index(i))) }
        return out
    }

    func required(_ members: [String: JSONNode], _ key: String, in node: JSONNode, _ path: JSONPath)
        throws(Diagnostics) -> JSONNode
    {
        guard let v = members[key] else { throw fail("missing_key", "missing required key `\(key)`", node, path) }
        return v
    }

    func uid(_ node: JSONNode, _ path: JSONPath) throws(Diagnostics) -> UIDTemplate {
        let text = try string(node, path)
        do {
            return try UIDTemplate(parsing: text)
        } catch {
            throw place(error, node, path)
        }
    }

    /// Refuses a template placeholder not in `known`, pointing at the template.
    func checkPlaceholders(_ t: UIDTemplate, known: [String], what: String, _ node: JSONNode, _ path: JSONPath)
        throws(Diagnostics)
    {
        for p in t.placeholders where !known.contains(p) {
            let help = known.isEmpty ? "this \(what) has no parameters"
                : "the placeholders here are " + known.map { "`{\($0)}`" }.joined(separator: ", ")
            throw fail("unknown_placeholder", "unknown placeholder `{\(p)}` in `\(t)`", node, path, help: help)
        }
    }
}
