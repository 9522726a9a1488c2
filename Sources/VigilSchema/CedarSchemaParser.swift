import VigilPolicy

/// Reads the human-readable `.cedarschema` format into a `RawSchema`.
///
/// Syntax errors stop the parse at the first one, as in Cedar. The checks that belong to this format (duplicate
/// declarations and namespaces, `principal` and `resource` present and non-empty, reserved names, duplicate
/// annotations) are collected and reported together once the whole file has parsed. Annotations are read and
/// dropped: they have no meaning for validation.
struct CedarSchemaParser {
    let file: SourceFile
    let bytes: [UInt8]
    let tokens: [Token]
    /// Index of the current token; never past the final `.endOfFile`.
    var position = 0
    /// Problems that do not stop the parse.
    var problems: [Diagnostic] = []

    private init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
        self.tokens = Lexer.tokenize(file.bytes)
    }

    /// Parses a whole schema file.
    /// - Throws: `Diagnostics` with the first syntax error, or with every declaration problem found.
    static func parse(_ file: SourceFile) throws(Diagnostics) -> RawSchema {
        var parser = CedarSchemaParser(file: file)
        let schema: RawSchema
        do throws(Diagnostic) {
            schema = try parser.schema()
        } catch {
            throw Diagnostics(error)
        }
        guard parser.problems.isEmpty else { throw Diagnostics(parser.problems) }
        return schema
    }

    // MARK: - Namespaces and declarations

    /// Declarations outside any `namespace` block all belong to the one empty namespace.
    private mutating func schema() throws(Diagnostic) -> RawSchema {
        var namespaces: [RawNamespace] = []
        var namespaceSpans: [[String]: SourceSpan] = [:]
        var topLevel = RawNamespace(path: [])
        var topLevelNames = DeclaredNames()
        while current.kind != .endOfFile {
            try annotations()
            if isKeyword("namespace") {
                let (namespace, span) = try namespaceBlock()
                if let first = namespaceSpans[namespace.path] {
                    report(SchemaCode.duplicateNamespace,
                           "namespace `\(namespace.path.joined(separator: "::"))` is declared twice", span,
                           help: "merge it with the declaration at \(place(first))")
                } else {
                    namespaceSpans[namespace.path] = span
                }
                namespaces.append(namespace)
            } else {
                try declaration(into: &topLevel, names: &topLevelNames, insideNamespace: false)
            }
        }
        namespaces.append(topLevel)
        return RawSchema(namespaces: namespaces)
    }

    /// `namespace A::B { … }`; returns the namespace and the span of its name.
    private mutating func namespaceBlock() throws(Diagnostic) -> (RawNamespace, SourceSpan) {
        advance()
        let name = try path(purpose: "a namespace name")
        for part in name.name.components where part == SchemaNames.cedarNamespace {
            reportReservedNamespace(at: name.origin.span)
        }
        try expect(.leftBrace)
        var namespace = RawNamespace(path: name.name.components)
        var names = DeclaredNames()
        while current.kind != .rightBrace {
            try annotations()
            try declaration(into: &namespace, names: &names, insideNamespace: true)
        }
        advance()
        return (namespace, name.origin.span)
    }

    /// One `entity`, `action` or `type` declaration.
    private mutating func declaration(
        into namespace: inout RawNamespace, names: inout DeclaredNames, insideNamespace: Bool
    ) throws(Diagnostic) {
        let expected = insideNamespace ? "`entity`, `action`, `type` or `}`" : "`namespace`, `entity`, `action` or `type`"
        guard current.kind == .identifier else {
            var help: String?
            if current.kind == .semicolon, position > 0, tokens[position - 1].kind == .rightBrace {
                help = "a namespace's closing `}` takes no `;`"
            }
            throw unexpected(expected, help: help)
        }
        switch text(current) {
        case "entity": try entityDeclaration(into: &namespace, names: &names)
        case "action": try actionDeclaration(into: &namespace, names: &names)
        case "type": try typeDeclaration(into: &namespace, names: &names)
        case "namespace" where insideNamespace:
            throw unexpected(expected, help: "namespaces do not nest; write `namespace A::B { … }` instead")
        default: throw unexpected(expected)
        }
    }

    /// `entity A, B in [C] = { … } tags T;` or `entity E enum ["a", "b"];`.
    private mutating func entityDeclaration(into namespace: inout RawNamespace, names: inout DeclaredNames) throws(Diagnostic) {
        advance()
        var declared = [try declaredName(purpose: "an entity type name")]
        while current.kind == .comma {
            advance()
            declared.append(try declaredName(purpose: "an entity type name"))
        }
        for (name, span) in declared { check(&names.entityTypes, name, span, kind: "entity type") }
        if isKeyword("enum") {
            advance()
            try expect(.leftBracket)
            var ids = [try string().value]
            while current.kind == .comma {
                advance()
                ids.append(try string().value)
            }
            try expect(.rightBracket)
            try expect(.semicolon)
            for (name, span) in declared {
                namespace.entityTypes.append(
                    RawEntityType(name: name, origin: Origin(span), memberOf: [], shape: nil, tags: nil, enumIDs: ids))
            }
            return
        }
        var parents: [RawName] = []
        if isKeyword("in") {
            advance()
            parents = try entityTypeList().types
        }
        var shape: RawType?
        if current.kind == .equal || current.kind == .leftBrace {
            if current.kind == .equal { advance() }
            guard current.kind == .leftBrace else { throw unexpected("`{`") }
            shape = try recordType(depth: 1)
        }
        var tags: RawType?
        if isKeyword("tags") {
            advance()
            tags = try type(depth: 1)
        }
        guard current.kind == .semicolon else {
            throw unexpected(shape == nil && tags == nil ? "`in`, `=`, `{`, `tags` or `;`" : "`tags` or `;`")
        }
        advance()
        for (name, span) in declared {
            namespace.entityTypes.append(
                RawEntityType(name: name, origin: Origin(span), memberOf: parents, shape: shape, tags: tags, enumIDs: nil))
        }
    }

    /// `action "read", write in [Action::"g"] appliesTo { … } attributes {};`.
    private mutating func actionDeclaration(into namespace: inout RawNamespace, names: inout DeclaredNames) throws(Diagnostic) {
        advance()
        var declared = [try actionName()]
        while current.kind == .comma {
            advance()
            declared.append(try actionName())
        }
        for (name, span) in declared { check(&names.actions, name, span, kind: "action") }
        var parents: [RawActionRef] = []
        if isKeyword("in") {
            advance()
            if current.kind == .leftBracket {
                advance()
                parents.append(try actionReference())
                while current.kind == .comma {
                    advance()
                    parents.append(try actionReference())
                }
                try expect(.rightBracket)
            } else {
                parents.append(try actionReference())
            }
        }
        var appliesTo: RawAppliesTo?
        if isKeyword("appliesTo") {
            advance()
            appliesTo = try appliesToBlock(action: declared[0])
        }
        if isKeyword("attributes") {
            // Cedar accepts only an empty attribute block on actions, and ignores it.
            advance()
            try expect(.leftBrace)
            try expect(.rightBrace)
        }
        guard current.kind == .semicolon else {
            let help = current.kind == .leftBrace
                ? "write `appliesTo { principal: …, resource: … }` to say what the action applies to" : nil
            throw unexpected(appliesTo == nil ? "`in`, `appliesTo` or `;`" : "`;`", help: help)
        }
        advance()
        for (name, span) in declared {
            namespace.actions.append(RawAction(name: name, origin: Origin(span), memberOf: parents, appliesTo: appliesTo))
        }
    }

    /// `appliesTo { principal: …, resource: …, context: … }`; reports a missing, repeated or empty part.
    private mutating func appliesToBlock(action: (name: String, span: SourceSpan)) throws(Diagnostic) -> RawAppliesTo {
        try expect(.leftBrace)
        var principals: [RawName]?, resources: [RawName]?, context: RawType?
        var seen: Set<String> = []
        repeat {
            guard current.kind == .identifier, ["principal", "resource", "context"].contains(text(current)) else {
                throw unexpected("`principal`, `resource` or `context`")
            }
            let keyword = advance()
            let part = text(keyword)
            try expect(.colon)
            let span: SourceSpan
            if part == "context" {
                let t = current.kind == .leftBrace
                    ? try recordType(depth: 1)
                    : RawType(path: try path(purpose: "a common type name"), kind: .common)
                context = t
                span = keyword.span.union(t.origin.span)
            } else {
                let list = try entityTypeList()
                span = keyword.span.union(list.span)
                if list.types.isEmpty {
                    report(SchemaCode.emptyAppliesTo, "for action `\(action.name)`, `\(part)` is `[]`, which is invalid", span,
                           help: "leave out `appliesTo` for an action that applies to no request")
                }
                if part == "principal" { principals = list.types } else { resources = list.types }
            }
            if !seen.insert(part).inserted {
                report(SchemaCode.duplicateAppliesTo, "duplicate `\(part)` declaration in action `\(action.name)`", span)
            }
            guard current.kind == .comma else { break }
            advance()
        } while current.kind != .rightBrace
        try expect(.rightBrace)
        for (part, list) in [("principal", principals), ("resource", resources)] where list == nil {
            report(SchemaCode.missingAppliesTo, "missing `\(part)` declaration for action `\(action.name)`", action.span,
                   help: "an action's `appliesTo` names both its `principal` and its `resource` types")
        }
        return RawAppliesTo(principals: principals ?? [], resources: resources ?? [], context: context)
    }

    /// `type T = …;`.
    private mutating func typeDeclaration(into namespace: inout RawNamespace, names: inout DeclaredNames) throws(Diagnostic) {
        advance()
        let (name, span) = try declaredName(purpose: "a type name")
        if SchemaNames.reservedCommonTypeNames.contains(name) {
            report(SchemaCode.reservedTypeName, "`\(name)` is reserved and cannot name a common type", span)
        }
        check(&names.commonTypes, name, span, kind: "common type")
        try expect(.equal)
        let definition = try type(depth: 1)
        try expect(.semicolon)
        namespace.commonTypes.append(RawCommonType(name: name, origin: Origin(span), type: definition))
    }

    // MARK: - Declaration checks

    /// The names declared so far in one namespace, by kind, with where each was first declared. Kinds are
    /// separate: an entity type and a common type may share a name (the common type wins in references).
    struct DeclaredNames {
        var entityTypes: [String: SourceSpan] = [:]
        var actions: [String: SourceSpan] = [:]
        var commonTypes: [String: SourceSpan] = [:]
    }

    /// Records a declaration, reporting it when the namespace already declares that name with the same kind.
    private mutating func check(_ seen: inout [String: SourceSpan], _ name: String, _ span: SourceSpan, kind: String) {
        if let first = seen[name] {
            report(SchemaCode.duplicateDeclaration, "\(kind) `\(name)` is declared twice", span,
                   help: "the first declaration is at \(place(first))")
        } else {
            seen[name] = span
        }
    }

    /// An identifier naming a new entity or common type, which must not be the reserved `__cedar`.
    private mutating func declaredName(purpose: String) throws(Diagnostic) -> (String, SourceSpan) {
        let (name, token) = try identifier(purpose: purpose)
        if name == SchemaNames.cedarNamespace { reportReservedNamespace(at: token.span) }
        return (name, token.span)
    }

    private mutating func reportReservedNamespace(at span: SourceSpan) {
        report(SchemaCode.reservedNamespace, "`__cedar` is reserved for Cedar's built-in types", span)
    }

    mutating func report(_ code: String, _ message: String, _ span: SourceSpan, help: String? = nil) {
        problems.append(Diagnostic(code: code, message: message, file: file, span: span, help: help))
    }

    /// `line L, column C` of an offset, for help text that points at another declaration.
    private func place(_ span: SourceSpan) -> String {
        let (line, column) = file.lineColumn(of: span.start)
        return "line \(line), column \(column)"
    }
}
