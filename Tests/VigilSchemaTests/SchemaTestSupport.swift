import Testing
import VigilPolicy
@testable import VigilSchema

/// Parses human-format schema text.
func human(_ text: String) throws(Diagnostics) -> Schema {
    try Schema.parse(cedarSchema: SourceFile(name: "test.cedarschema", text: text))
}

/// Parses JSON schema text.
func json(_ text: String) throws(Diagnostics) -> Schema {
    try Schema.parse(json: SourceFile(name: "test.cedarschema.json", text: text))
}

/// The diagnostics of input that must be rejected; records an issue when it is accepted.
func rejection(_ parse: () throws(Diagnostics) -> Schema, sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostics? {
    do {
        _ = try parse()
        Issue.record("expected the schema to be rejected", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func name(_ s: String) -> Name { Name(qualified: s) }

func action(_ s: String, in ns: String = "") -> EntityUID {
    EntityUID(type: ns.isEmpty ? name("Action") : name(ns + "::Action"), id: s)
}

/// A record type from `name: (type, required)` pairs.
func record(_ attributes: [String: (SchemaType, Bool)]) -> RecordType {
    RecordType(attributes: attributes.mapValues { AttributeType(type: $0.0, isRequired: $0.1) })
}

/// A malformed input and the first diagnostic it must produce.
struct BadSchema: Sendable, CustomTestStringConvertible {
    var label: String
    var text: String
    var code: String
    var line: Int
    var column: Int
    var jsonPath: String?

    init(_ label: String, _ text: String, _ code: String, at line: Int, _ column: Int, path jsonPath: String? = nil) {
        self.label = label
        self.text = text
        self.code = code
        self.line = line
        self.column = column
        self.jsonPath = jsonPath
    }

    var testDescription: String { label }

    /// Parses `text` with `parse` and checks the first diagnostic's code, place, JSON path and message style.
    func check(_ parse: (String) throws(Diagnostics) -> Schema, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let diagnostics = rejection({ () throws(Diagnostics) -> Schema in try parse(text) }, sourceLocation: sourceLocation)
        else { return }
        let d = diagnostics.all[0]
        #expect(d.code == code, "\(d.rendered())", sourceLocation: sourceLocation)
        #expect(d.location?.line == line && d.location?.column == column,
                "at \(d.location.map { "\($0.line):\($0.column)" } ?? "nowhere"): \(d.rendered())", sourceLocation: sourceLocation)
        #expect(d.jsonPath == jsonPath, "path \(d.jsonPath ?? "nil")", sourceLocation: sourceLocation)
        // Cedar's style: one line, lowercase (or starting with quoted input), no final period.
        let first = d.message.first
        #expect((first?.isLowercase == true || first == "`") && d.message.last != "." && !d.message.contains("\n"),
                "message style: \(d.message)",
                sourceLocation: sourceLocation)
    }
}
