import Foundation
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema

/// Requests in JSON Lines, as `vigil authorize --requests` and `vigil bench` read them: one object a line with
/// `principal`, `action` and `resource` as `{"type", "id"}`, an optional `context` object and `session` id.
enum RequestLines {
    /// The non-blank lines of the file, each as its own source named `path:line` for diagnostics.
    static func read(_ path: String) throws -> [SourceFile] {
        let whole = try PolicyFiles.read(path)
        return whole.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { n, line in
            line.allSatisfy(\.isWhitespace) ? nil : SourceFile(name: "\(path):\(n + 1)", text: String(line))
        }
    }

    /// One request. The context is passed on as written, or, with a schema, parsed with it and re-encoded with
    /// explicit `__extn`/`__entity` escapes.
    static func parse(_ file: SourceFile, schema: Schema?) throws -> Request {
        let root = try JSON.parse(file)
        func entity(_ key: String) throws -> EntityUID {
            guard let node = root[key], case .string(let type)? = node["type"]?.value,
                  case .string(let id)? = node["id"]?.value
            else { throw ValidationErrorMessage("`\(key)` must be an object {\"type\", \"id\"}") }
            return EntityUID(type: Name(qualified: type), id: id)
        }
        let p = try entity("principal"), a = try entity("action"), r = try entity("resource")
        var contextJSON: String?
        if let node = root["context"] {
            if let schema {
                contextJSON = CedarJSON.encode(try ContextJSON.parse(node, in: file, action: a, schema: schema))
            } else {
                let bytes = file.bytes[max(0, node.span.start)..<min(file.bytes.count, node.span.end)]
                contextJSON = String(decoding: bytes, as: UTF8.self)
            }
        }
        var sessionID: String?
        if case .string(let s)? = root["session"]?.value { sessionID = s }
        return Request(principal: p, action: a, resource: r, contextJSON: contextJSON, sessionID: sessionID)
    }
}
