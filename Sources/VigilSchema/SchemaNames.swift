import VigilPolicy

/// Cedar's rules for the names a schema declares and refers to, shared by both readers and the resolver.
enum SchemaNames {
    /// The namespace of the built-in types (`__cedar::Long`); no declaration may use it.
    static let cedarNamespace = "__cedar"

    /// Names no common type may have, because JSON uses them as type keywords.
    static let reservedCommonTypeNames: Set<String> = [
        "Bool", "Boolean", "Entity", "Extension", "Long", "Record", "Set", "String",
    ]

    /// The primitive types by their schema names.
    static let primitives: [String: SchemaType] = ["Bool": .bool, "Long": .long, "String": .string]

    /// The extension types (`ipaddr`, `decimal`, `datetime`, `duration`), taken from the extension function
    /// registry so a new extension needs no change here.
    static let extensionTypes: Set<String> = {
        var names: Set<String> = []
        for f in Extensions.functions.values {
            for t in f.arguments + [f.result] where primitives[t.rawValue] == nil { names.insert(t.rawValue) }
        }
        return names
    }()

    /// `true` for `[_a-zA-Z][_a-zA-Z0-9]*`.
    static func isIdentifier(_ s: String) -> Bool { CedarIdentifier.isValid(s) }

    /// `true` for the words Cedar reserves (`if`, `in`, `true`, …), which cannot be identifiers.
    static func isReserved(_ s: String) -> Bool { CedarIdentifier.reserved.contains(s) }

    /// Why `text` is not a valid name written in normalized form (`A::B::C`, no spaces), or `nil` when it is.
    /// `__cedar` is accepted as a component: references may name built-ins such as `__cedar::Long`.
    static func problem(inName text: String) -> String? {
        if text.isEmpty { return "a name cannot be empty" }
        for part in text.split(separator: "::", omittingEmptySubsequences: false).map(String.init) {
            if !isIdentifier(part) { return "`\(part)` is not a valid identifier" }
            if isReserved(part) { return "`\(part)` is a reserved identifier" }
        }
        return nil
    }

    /// Parses a name in normalized form; `nil` when `problem(inName:)` reports one.
    static func parse(_ text: String) -> Name? {
        problem(inName: text) == nil ? Name(qualified: text) : nil
    }
}
