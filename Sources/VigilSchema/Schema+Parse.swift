import VigilPolicy

extension Schema {
    /// Parses a schema in Cedar's human-readable format (`.cedarschema`) and resolves it.
    ///
    /// Accepts all of Cedar 4's syntax: namespaces, `entity` declarations (parents, attributes, `tags`, `enum`),
    /// `action` declarations (groups, `appliesTo`), common types (`type T = …;`), annotations (read and dropped)
    /// and `//` comments. Names resolve exactly as in Cedar; see `SchemaResolver`.
    /// - Parameter file: the schema text.
    /// - Returns: the resolved schema, its `file` set to `file`.
    /// - Throws: `Diagnostics` (codes `vigil.schema.*`): the first syntax error, or every problem of the first
    ///   stage that has any, each located in `file`.
    public static func parse(cedarSchema file: SourceFile) throws(Diagnostics) -> Schema {
        try SchemaResolver.resolve(try CedarSchemaParser.parse(file), file: file)
    }

    /// Parses a schema in Cedar's JSON format and resolves it.
    ///
    /// The format is `{"Namespace": {"commonTypes": {…}, "entityTypes": {…}, "actions": {…}}}`, `""` naming the
    /// empty namespace. Both formats produce equal models for the same schema.
    /// - Parameter file: the JSON text.
    /// - Returns: the resolved schema, its `file` set to `file`.
    /// - Throws: `Diagnostics`: a JSON syntax error (`vigil.json.*`), or schema problems (`vigil.schema.*`) each
    ///   carrying the span of the offending value and its `jsonPath`, such as
    ///   `NS.entityTypes.User.shape.attributes.age.type`.
    public static func parse(json file: SourceFile) throws(Diagnostics) -> Schema {
        try SchemaResolver.resolve(try JSONSchemaReader.read(file), file: file)
    }

    /// Parses a schema in either format: JSON when the first character other than white space is `{`, the
    /// human-readable format otherwise.
    /// - Parameter file: the schema text.
    /// - Throws: `Diagnostics`, as `parse(cedarSchema:)` or `parse(json:)`.
    public static func parse(file: SourceFile) throws(Diagnostics) -> Schema {
        let first = file.bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return first == UInt8(ascii: "{") ? try parse(json: file) : try parse(cedarSchema: file)
    }
}
