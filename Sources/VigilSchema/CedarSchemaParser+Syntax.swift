import VigilPolicy

// Tokens, names, types and annotations of the `.cedarschema` format.
extension CedarSchemaParser {
    // MARK: - Tokens

    var current: Token { tokens[position] }

    /// Moves past the current token (never past the end) and returns it.
    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[position]
        if t.kind != .endOfFile { position += 1 }
        return t
    }

    func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }

    /// `true` when the current token is the identifier `word`. Schema keywords are ordinary identifiers that
    /// mean something only in their place, so `entity entity;` declares a type named `entity`.
    func isKeyword(_ word: String) -> Bool { current.kind == .identifier && text(current) == word }

    @discardableResult
    mutating func expect(_ kind: TokenKind) throws(Diagnostic) -> Token {
        guard current.kind == kind else { throw unexpected(kind.display) }
        return advance()
    }

    /// The error for the current token when `expected` was wanted.
    func unexpected(_ expected: String, help: String? = nil) -> Diagnostic {
        let t = current
        let message: String
        switch t.kind {
        case .endOfFile: message = "unexpected end of input, expected \(expected)"
        case .invalid:
            let quoted = CedarString.quote(text(t))
            message = "invalid character `\(quoted.dropFirst().dropLast())`"
        case .unterminatedString: message = "unterminated string literal"
        default:
            var shown = text(t)
            if shown.unicodeScalars.count > 40 { shown = String(String.UnicodeScalarView(shown.unicodeScalars.prefix(40))) + "…" }
            message = "unexpected token `\(shown)`, expected \(expected)"
        }
        return Diagnostic(code: SchemaCode.unexpectedToken, message: message, file: file, span: t.span, help: help)
    }

    // MARK: - Names

    /// An identifier that is not a reserved word.
    mutating func identifier(purpose: String) throws(Diagnostic) -> (String, Token) {
        guard current.kind == .identifier else { throw unexpected(purpose) }
        let t = advance()
        let s = text(t)
        if SchemaNames.isReserved(s) {
            throw Diagnostic(code: SchemaCode.reservedIdentifier, message: "`\(s)` is a reserved identifier",
                             file: file, span: t.span)
        }
        return (s, t)
    }

    /// `A::B::C`.
    mutating func path(purpose: String) throws(Diagnostic) -> RawName {
        var (last, token) = try identifier(purpose: purpose)
        let start = token.start
        var namespace: [String] = []
        while current.kind == .doubleColon {
            advance()
            namespace.append(last)
            (last, token) = try identifier(purpose: "an identifier after `::`")
        }
        return RawName(name: Name(namespace: namespace, basename: last),
                       origin: Origin(SourceSpan(start: start, end: token.end)))
    }

    /// A quoted string, unescaped.
    mutating func string() throws(Diagnostic) -> (value: String, token: Token) {
        guard current.kind == .string else { throw unexpected("a string literal") }
        let t = advance()
        switch CedarString.unescape(bytes[(t.start + 1)..<(t.end - 1)]) {
        case .success(let s): return (s, t)
        case .failure(let e):
            let start = t.start + 1 + e.offset
            throw Diagnostic(code: SchemaCode.invalidString, message: e.message, file: file,
                             span: SourceSpan(start: start, end: min(start + max(1, e.length), t.end)))
        }
    }

    /// An action's name where it is declared: an identifier or a quoted string.
    mutating func actionName() throws(Diagnostic) -> (name: String, span: SourceSpan) {
        if current.kind == .string {
            let (s, t) = try string()
            return (s, t.span)
        }
        let (s, t) = try identifier(purpose: "an action name")
        return (s, t.span)
    }

    /// A parent action: `read`, `"read"`, `Action::"read"` or `NS::Action::"read"`.
    mutating func actionReference() throws(Diagnostic) -> RawActionRef {
        if current.kind == .string {
            let (s, t) = try string()
            return RawActionRef(type: nil, id: s, origin: Origin(t.span))
        }
        var (last, token) = try identifier(purpose: "an action name")
        let start = token.start
        guard current.kind == .doubleColon else {
            return RawActionRef(type: nil, id: last, origin: Origin(token.span))
        }
        var namespace: [String] = []
        while current.kind == .doubleColon {
            advance()
            if current.kind == .string {
                let typeSpan = SourceSpan(start: start, end: token.end)
                let (id, idToken) = try string()
                let type = RawName(name: Name(namespace: namespace, basename: last), origin: Origin(typeSpan))
                return RawActionRef(type: type, id: id, origin: Origin(SourceSpan(start: start, end: idToken.end)))
            }
            namespace.append(last)
            (last, token) = try identifier(purpose: "an identifier or a quoted action id after `::`")
        }
        throw unexpected("`::` and a quoted action id", help: "an action is written `Action::\"id\"`, `NS::Action::\"id\"` or by its id alone")
    }

    /// `T` or `[T, U]` (possibly `[]`), with the span it covers.
    mutating func entityTypeList() throws(Diagnostic) -> (types: [RawName], span: SourceSpan) {
        guard current.kind == .leftBracket else {
            let one = try path(purpose: "an entity type or `[`")
            return ([one], one.origin.span)
        }
        let open = advance()
        var types: [RawName] = []
        if current.kind != .rightBracket {
            types.append(try path(purpose: "an entity type"))
            while current.kind == .comma {
                advance()
                types.append(try path(purpose: "an entity type"))
            }
        }
        let close = try expect(.rightBracket)
        return (types, open.span.union(close.span))
    }

    // MARK: - Types

    /// `Set<T>`, a record `{ … }`, or a type name.
    mutating func type(depth: Int) throws(Diagnostic) -> RawType {
        guard depth <= maxTypeDepth else {
            throw Diagnostic(code: SchemaCode.tooDeep, message: "types nest more than \(maxTypeDepth) levels deep",
                             file: file, span: current.span)
        }
        if current.kind == .leftBrace { return try recordType(depth: depth) }
        // `Set` is a type constructor only before `<`; alone it is an ordinary name (an entity may be called `Set`).
        if isKeyword("Set"), position + 1 < tokens.count, tokens[position + 1].kind == .less {
            let start = advance().start
            advance()
            let element = try type(depth: depth + 1)
            let close = try expect(.greater)
            return RawType(kind: .set(element), origin: Origin(SourceSpan(start: start, end: close.end)))
        }
        guard current.kind == .identifier else { throw unexpected("a type") }
        return RawType(path: try path(purpose: "a type"), kind: .entityOrCommon)
    }

    /// `{ name: T, "other"?: U, }`, attributes optionally annotated.
    mutating func recordType(depth: Int) throws(Diagnostic) -> RawType {
        guard depth <= maxTypeDepth else {
            throw Diagnostic(code: SchemaCode.tooDeep, message: "types nest more than \(maxTypeDepth) levels deep",
                             file: file, span: current.span)
        }
        let open = try expect(.leftBrace)
        var attributes: [RawAttribute] = []
        while current.kind != .rightBrace {
            try annotations()
            let name: String
            if current.kind == .string {
                name = try string().value
            } else {
                name = try identifier(purpose: "an attribute name or `}`").0
            }
            var isRequired = true
            if current.kind == .question {
                advance()
                isRequired = false
            }
            try expect(.colon)
            attributes.append(RawAttribute(name: name, type: try type(depth: depth + 1), isRequired: isRequired))
            guard current.kind == .comma else { break }
            advance()
        }
        let close = try expect(.rightBrace)
        return RawType(kind: .record(attributes), origin: Origin(open.span.union(close.span)))
    }

    // MARK: - Annotations

    /// `@name("value")` or `@name`, any number; read and dropped. A name repeated on one item is an error.
    mutating func annotations() throws(Diagnostic) {
        var seen: [String: SourceSpan] = [:]
        while current.kind == .at {
            advance()
            // Annotation names may be any identifier, reserved words included.
            guard current.kind == .identifier else { throw unexpected("an annotation name") }
            let key = advance()
            if current.kind == .leftParen {
                advance()
                _ = try string()
                try expect(.rightParen)
            }
            let name = text(key)
            if seen[name] != nil {
                report(SchemaCode.duplicateAnnotation, "duplicate annotation `@\(name)`", key.span)
            } else {
                seen[name] = key.span
            }
        }
    }
}

extension RawType {
    /// A reference to a named type, spanning the name.
    init(path: RawName, kind: ReferenceKind) {
        self.init(kind: .reference(path, kind), origin: path.origin)
    }
}
