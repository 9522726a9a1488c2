import VigilPolicy
import VigilSchema

/// Reads a request's `context` from JSON: an object whose members use Cedar's JSON value syntax.
///
/// Follows `ContextJsonParser` (cedar-policy-core/src/entities/json/context.rs) and the request check Cedar does
/// with a schema: the context must be an object; with a schema, the action must be declared and the object is
/// parsed and checked against the action's context type, so it must have every required attribute and no
/// undeclared one, and strings become extension values where the type says so.
public enum ContextJSON {
    /// Parses a context file.
    /// - Parameters:
    ///   - file: the JSON text.
    ///   - action: the request's action, whose declaration gives the context type.
    ///   - schema: when given, the context is parsed by the action's context type and checked against it.
    /// - Returns: the context, always a `.record`.
    /// - Throws: `Diagnostics` with every problem found, each with its JSON path and span.
    public static func parse(_ file: SourceFile, action: EntityUID, schema: Schema?) throws(Diagnostics) -> Value {
        try parse(JSON.parse(file), in: file, action: action, schema: schema)
    }

    /// Parses a context from an already parsed JSON node, such as the `context` member of a request body.
    /// - Parameters:
    ///   - node: the context object.
    ///   - file: the document `node` was parsed from, for diagnostics.
    ///   - action, schema: as for `parse(_:action:schema:)`.
    /// - Throws: `Diagnostics` with every problem found.
    public static func parse(
        _ node: JSONNode, in file: SourceFile, action: EntityUID, schema: Schema?
    ) throws(Diagnostics) -> Value {
        var decoder = ValueDecoder(file: file, schema: schema)
        var fields: [String: Value]?
        if node.members == nil {
            decoder.sink.error("vigil.data.expected_object",
                               "a context must be an object, found " + node.kindWithArticle, at: node.span, path: .root)
        } else if let schema {
            if let declaration = schema.actions[action] {
                fields = decoder.record(node, type: declaration.context, owner: "the context of `\(action)`", .root)
            } else {
                decoder.sink.error("vigil.data.undeclared_action",
                                   "action `\(action)` is not declared in the schema, so its context has no type",
                                   at: node.span, path: .root,
                                   help: actionSuggestion(for: action, in: schema))
            }
        } else if let v = decoder.plain(node, .root) {
            // As in Cedar, the whole object is one JSON value: a lone `__entity` or `__extn` key is an escape, which
            // is not a record.
            if case .record(let r) = v {
                fields = r
            } else {
                decoder.sink.error("vigil.data.expected_object", "a context must be a record, found `\(brief(v))`",
                                   at: node.span, path: .root)
            }
        }
        try decoder.sink.check()
        return .record(fields ?? [:])
    }
}
