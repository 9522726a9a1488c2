import VigilPolicy

/// The stable codes of schema diagnostics. Messages may be reworded; codes do not change.
enum SchemaCode {
    // Human format: syntax.
    static let unexpectedToken = "vigil.schema.unexpected_token"
    static let invalidString = "vigil.schema.invalid_string"
    static let reservedIdentifier = "vigil.schema.reserved_identifier"
    static let tooDeep = "vigil.schema.too_deep"
    // Human format: declarations.
    static let duplicateAnnotation = "vigil.schema.duplicate_annotation"
    static let duplicateDeclaration = "vigil.schema.duplicate_declaration"
    static let duplicateNamespace = "vigil.schema.duplicate_namespace"
    static let duplicateAppliesTo = "vigil.schema.duplicate_applies_to"
    static let missingAppliesTo = "vigil.schema.missing_applies_to"
    static let emptyAppliesTo = "vigil.schema.empty_applies_to"
    // Both formats.
    static let reservedNamespace = "vigil.schema.reserved_namespace"
    static let reservedTypeName = "vigil.schema.reserved_type_name"
    static let actionEntityType = "vigil.schema.action_entity_type"
    static let shadowing = "vigil.schema.shadowing"
    static let undeclaredType = "vigil.schema.undeclared_type"
    static let undeclaredEntityType = "vigil.schema.undeclared_entity_type"
    static let undeclaredAction = "vigil.schema.undeclared_action"
    static let commonTypeCycle = "vigil.schema.common_type_cycle"
    static let actionCycle = "vigil.schema.action_cycle"
    static let notARecord = "vigil.schema.not_a_record"
    static let unknownExtensionType = "vigil.schema.unknown_extension_type"
    static let unsupported = "vigil.schema.unsupported"
    // JSON format.
    static let jsonWrongKind = "vigil.schema.json.wrong_kind"
    static let jsonUnknownField = "vigil.schema.json.unknown_field"
    static let jsonMissingField = "vigil.schema.json.missing_field"
    static let jsonDuplicateKey = "vigil.schema.json.duplicate_key"
    static let jsonInvalidName = "vigil.schema.json.invalid_name"
    static let jsonEmptyEnum = "vigil.schema.json.empty_enum"
    static let jsonEnumWithFields = "vigil.schema.json.enum_with_fields"
    static let jsonAnnotatedEmptyNamespace = "vigil.schema.json.annotated_empty_namespace"
    static let jsonMissingNamespace = "vigil.schema.json.missing_namespace"
}

/// How deeply types may nest (`Set<Set<…>>`, records in records), in the source and after common types are
/// inlined. Cedar sets no limit; this one keeps recursion over types well inside any thread's stack, and is far
/// above what real schemas use (the conformance corpus nests at most 7 deep).
let maxTypeDepth = 64

extension Diagnostic {
    /// A schema error at `origin` in `file`.
    init(_ code: String, _ message: String, in file: SourceFile, at origin: Origin, help: String? = nil) {
        self.init(code: code, message: message, file: file, span: origin.span, jsonPath: origin.jsonPath, help: help)
    }
}

/// A "did you mean" hint: the closest candidate by edit distance, when close enough to be a likely typo.
func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for c in candidates where c != word {
        let d = editDistance(word.lowercased(), c.lowercased())
        if best.map({ d < $0.1 }) ?? true { best = (c, d) }
    }
    // Close, but not a complete rewrite: `C` is not a typo of `E`.
    guard let best, best.1 <= max(2, word.count / 3), best.1 < word.count else { return nil }
    return "did you mean `\(best.0)`?"
}
