import Foundation
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema

/// A data API request reduced to what is needed to replay it: the operation, its path parameters and its body.
/// The journal stores these, and replaying one goes through the same decoding as the live request, so the two
/// can never disagree.
public struct DataRequest: Codable, Sendable {
    public enum Operation: String, Codable, Sendable {
        case upsertEntities, deleteEntity, setAttribute, setRisk, upsertSession, revokeSession, addLink, removeLink
    }

    public var op: Operation
    /// Path parameters: an entity's type and id (and attribute name), a session or link id.
    public var params: [String]
    public var body: String

    public init(op: Operation, params: [String] = [], body: String = "") {
        self.op = op
        self.params = params
        self.body = body
    }

    /// Decodes the request into a change, checking entity data against the schema when there is one.
    /// - Throws: `DataChangeError` with every located problem (line:column and JSON path) rendered.
    public func change(schema: Schema?, nowMs: Int64) throws(DataChangeError) -> DataChange {
        let file = SourceFile(name: "request body", text: body)
        switch op {
        case .upsertEntities:
            let list = try diagnosed { () throws(Diagnostics) in try EntityJSON.parse(file, schema: schema) }
            // With a schema the parser adds its actions; only the entities the body names are changed.
            let named = try namedUIDs(file)
            return .upsertEntities(list.filter { named.contains($0.uid) })
        case .deleteEntity:
            return .deleteEntity(try uid(0))
        case .setAttribute, .setRisk:
            let name = op == .setRisk ? "risk" : try param(2)
            let key = op == .setRisk ? "risk" : "value"
            let record = try diagnosed { () throws(Diagnostics) in
                try ContextJSON.parse(file, action: EntityUID(type: Name(basename: "Action"), id: ""), schema: nil)
            }
            guard case .record(let fields) = record, let value = fields[key] else {
                throw DataChangeError("the body must be an object with `\(key)`")
            }
            if op == .setRisk {
                guard case .long(let risk) = value, (0...100).contains(risk) else {
                    throw DataChangeError("`risk` must be an integer from 0 to 100")
                }
            }
            return .setAttribute(try uid(0), name: name, value: value)
        case .upsertSession:
            let id = try param(0)
            let root = try diagnosed { () throws(Diagnostics) in try JSON.parse(file) }
            let sessionUID = EntityUID(type: Name(namespace: ["Vigil"], basename: "Session"), id: id)
            var expires: Int64?
            if let at = root["expires_at_ms"] {
                guard case .integer(let ms) = at.value, ms >= 0 else {
                    throw DataChangeError("`expires_at_ms` must be a Unix time in milliseconds (an integer, 0 or more)")
                }
                expires = ms
            } else if let after = root["expires_in_s"] {
                guard case .integer(let s) = after.value, s > 0, s < Int64.max / 1000 else {
                    throw DataChangeError("`expires_in_s` must be a positive integer")
                }
                expires = nowMs + s * 1000
            }
            // The session's entity: its attributes (aal, auth_time, ...) as Cedar entity JSON attrs.
            let attrsText = root["attrs"].map { String(decoding: file.bytes[$0.span.start..<$0.span.end], as: UTF8.self) }
                ?? "{}"
            let entityText = #"[{"uid": {"type": "Vigil::Session", "id": "#
                + String(decoding: (try? JSONEncoder().encode(id)) ?? Data(), as: UTF8.self)
                + #"}, "attrs": "# + attrsText + #", "parents": []}]"#
            let entityFile = SourceFile(name: "request body (attrs)", text: entityText)
            let parsed = try diagnosed { () throws(Diagnostics) in try EntityJSON.parse(entityFile, schema: schema) }
            guard let entity = parsed.first(where: { $0.uid == sessionUID }) else {
                throw DataChangeError("the session entity could not be built")
            }
            return .upsertSession(Session(id: id, entity: sessionUID, revoked: false, expiresAtMs: expires),
                                  entity: entity)
        case .revokeSession:
            return .revokeSession(id: try param(0))
        case .addLink:
            let root = try diagnosed { () throws(Diagnostics) in try JSON.parse(file) }
            var expires: Int64?
            if let at = root["expires_at_ms"] {
                guard case .integer(let ms) = at.value, ms >= 0 else {
                    throw DataChangeError("`expires_at_ms` must be a Unix time in milliseconds (an integer, 0 or more)")
                }
                expires = ms
            }
            let links = try diagnosed { () throws(Diagnostics) in
                try TemplateLinkJSON.parse(SourceFile(name: file.name, text: "[" + body + "]"),
                                           extraFields: ["expires_at_ms"])
            }
            guard links.count == 1 else { throw DataChangeError("the body must be one link") }
            return .addLink(links[0], expiresAtMs: expires)
        case .removeLink:
            return .removeLink(id: try param(0))
        }
    }

    private func param(_ i: Int) throws(DataChangeError) -> String {
        guard i < params.count, !params[i].isEmpty else { throw DataChangeError("missing path parameter \(i + 1)") }
        return params[i]
    }

    /// The entity named by params 0 (type, e.g. `User` or `Vigil::Session`) and 1 (id).
    private func uid(_ i: Int) throws(DataChangeError) -> EntityUID {
        let type = try param(i)
        let id = try param(i + 1)
        let parts = type.components(separatedBy: "::")
        guard parts.allSatisfy({ !$0.isEmpty }) else { throw DataChangeError("`\(type)` is not an entity type") }
        return EntityUID(type: Name(namespace: Array(parts.dropLast()), basename: parts.last ?? type), id: id)
    }

    /// The uids an entities body names, read schema-less (only `uid` members).
    private func namedUIDs(_ file: SourceFile) throws(DataChangeError) -> Set<EntityUID> {
        let root = try diagnosed { () throws(Diagnostics) in try JSON.parse(file) }
        guard case .array(let items) = root.value else { return [] }
        var out = Set<EntityUID>()
        for item in items {
            guard let uid = item["uid"] else { continue }
            let inner = uid["__entity"] ?? uid
            if case .string(let type)? = inner["type"]?.value, case .string(let id)? = inner["id"]?.value {
                out.insert(EntityUID(type: Name(qualified: type), id: id))
            }
        }
        return out
    }

    private func diagnosed<T>(_ body: () throws(Diagnostics) -> T) throws(DataChangeError) -> T {
        do { return try body() } catch {
            throw DataChangeError(error.all.map { d in
                var line = d.jsonPath.map { "\($0): " } ?? ""
                if let loc = d.location { line = "\(loc.line):\(loc.column): " + line }
                return line + d.message
            }.joined(separator: "\n"), problems: error.all.map { d in
                PublishStatus.Problem(code: d.code, message: d.message, line: d.location?.line,
                                      column: d.location?.column, path: d.jsonPath.map { $0.isEmpty || $0.hasPrefix("[") ? "$" + $0 : "$." + $0 })
            })
        }
    }
}
