/// Parses Cedar policy text into `Policy` values.
///
/// A hand-written recursive-descent parser over the token list. It reports every error it can find in one run:
/// after an error inside a policy it skips to that policy's closing `;` and carries on with the next one. It never
/// traps on any input: recursion is bounded by `maxDepth`, and every token access is bounds-checked.
public struct Parser {
    /// How deeply expressions may nest (parentheses, brackets, `if`) before the parser refuses the input rather
    /// than risk its own stack.
    public static let maxDepth = 150
    /// How tall an expression tree may grow, counting each link of a flat chain (`a && b && …`, `x.a.b…`) as a
    /// level. Everything that walks the tree later (equality, formatting, compiling, even freeing it) recurses, so
    /// the limit is enforced here, while the tree is built.
    public static let maxHeight = 4096

    private let file: SourceFile
    private let bytes: [UInt8]
    private let tokens: [Token]
    private var index = 0
    private var depth = 0
    /// The height of the tree being built, in the sense of `maxHeight`.
    private var height = 0
    private var diagnostics: [Diagnostic] = []

    /// An error inside one policy; the policy is abandoned and parsing resumes after its `;`.
    private struct Abandon: Error {}

    private init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
        self.tokens = Lexer.tokenize(file.bytes)
    }

    /// Parses every policy in `file`.
    /// - Returns: the policies, in order of appearance.
    /// - Throws: `Diagnostics` with every error found, sorted by position.
    public static func parsePolicies(_ file: SourceFile) throws(Diagnostics) -> [Policy] {
        var p = Parser(file: file)
        let policies = p.policies()
        if !p.diagnostics.isEmpty { throw Diagnostics(p.diagnostics) }
        return policies
    }

    /// Parses policy text given as a string; `name` is used in diagnostics.
    public static func parsePolicies(_ text: String, name: String = "<input>") throws(Diagnostics) -> [Policy] {
        try parsePolicies(SourceFile(name: name, text: text))
    }

    /// Parses a single expression (for tests and tools such as `vigil check --expr`).
    public static func parseExpression(_ file: SourceFile) throws(Diagnostics) -> Expr {
        var p = Parser(file: file)
        let e: Expr? = try? p.expression()
        if let e, p.diagnostics.isEmpty {
            if p.current.kind == .endOfFile { return e }
            p.error("vigil.parse.unexpected_token", "unexpected \(p.describe(p.current)) after the expression", p.current.span)
        }
        throw Diagnostics(p.diagnostics.isEmpty
            ? [Diagnostic(code: "vigil.parse.invalid", message: "invalid expression", file: file)] : p.diagnostics)
    }

    // MARK: - Token helpers

    private var current: Token { tokens[index] }

    private func peek(_ n: Int = 1) -> Token { tokens[min(index + n, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }

    /// Whether `t` is the identifier `word`, compared on bytes to avoid building a string.
    private func isWord(_ t: Token, _ word: StaticString) -> Bool {
        guard t.kind == .identifier, t.end - t.start == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { w in
            var i = 0
            while i < w.count {
                if bytes[t.start + i] != w[i] { return false }
                i += 1
            }
            return true
        }
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier: return "`\(text(t))`"
        case .integer: return "`\(text(t))`"
        case .string: return "string literal"
        case .slot: return "`\(text(t))`"
        case .invalid: return "invalid character `\(text(t))`"
        default: return t.kind.display
        }
    }

    private mutating func error(_ code: String, _ message: String, _ span: SourceSpan, help: String? = nil) {
        diagnostics.append(Diagnostic(code: code, message: message, file: file, span: span, help: help))
    }

    /// Records an error at `span` and abandons the current policy.
    private mutating func fail(_ code: String, _ message: String, _ span: SourceSpan, help: String? = nil) -> Abandon {
        error(code, message, span, help: help)
        return Abandon()
    }

    /// The standard error for a token that is not what the grammar needs here.
    private mutating func unexpected(_ expected: String) -> Abandon {
        let t = current
        switch t.kind {
        case .unterminatedString:
            return fail("vigil.parse.unterminated_string", "unterminated string literal", t.span,
                        help: "add the closing `\"`")
        case .invalid:
            return fail("vigil.parse.invalid_character", "invalid character `\(text(t))`", t.span)
        default:
            return fail("vigil.parse.unexpected_token", "expected \(expected), found \(describe(t))", t.span)
        }
    }

    private mutating func expect(_ kind: TokenKind, _ what: String? = nil) throws(Abandon) -> Token {
        guard current.kind == kind else { throw unexpected(what ?? kind.display) }
        return advance()
    }

    private mutating func expectWord(_ word: StaticString) throws(Abandon) -> Token {
        guard isWord(current, word) else { throw unexpected("`\(word)`") }
        return advance()
    }

    // MARK: - Policies

    private mutating func policies() -> [Policy] {
        var result: [Policy] = []
        while current.kind != .endOfFile {
            let start = index
            do {
                result.append(try policy())
            } catch {
                recover()
            }
            // Guarantee progress whatever the error path did.
            if index == start { _ = advance() }
        }
        return result
    }

    /// Skips to just after the `;` that ends the current policy, respecting bracket nesting so a `;` inside a
    /// record or set does not end it early. Stops before an `@` or effect keyword at nesting level zero, which
    /// most likely starts the next policy.
    private mutating func recover() {
        var nesting = 0
        while current.kind != .endOfFile {
            switch current.kind {
            case .leftParen, .leftBrace, .leftBracket: nesting += 1
            case .rightParen, .rightBrace, .rightBracket: nesting = max(0, nesting - 1)
            case .semicolon where nesting == 0:
                _ = advance()
                return
            default: break
            }
            _ = advance()
            if nesting == 0, current.kind == .at || isWord(current, "permit") || isWord(current, "forbid") { return }
        }
    }

    private mutating func policy() throws(Abandon) -> Policy {
        let startToken = current
        var annotations: [Annotation] = []
        while current.kind == .at {
            let at = advance()
            guard current.kind == .identifier else { throw unexpected("an annotation name") }
            let nameToken = advance()
            let name = text(nameToken)
            var value: String? = nil
            var end = nameToken.end
            if current.kind == .leftParen {
                _ = advance()
                let s = try expect(.string, "a string literal")
                value = try stringValue(s)
                end = try expect(.rightParen).end
            }
            let span = SourceSpan(start: at.start, end: end)
            if annotations.contains(where: { $0.name == name }) {
                error("vigil.parse.duplicate_annotation", "duplicate annotation `@\(name)`", span)
            }
            annotations.append(Annotation(name: name, value: value, span: span))
        }
        let effect: Effect
        if isWord(current, "permit") {
            effect = .permit
        } else if isWord(current, "forbid") {
            effect = .forbid
        } else if current.kind == .identifier {
            throw fail("vigil.parse.invalid_effect", "invalid policy effect `\(text(current))`", current.span,
                       help: "a policy starts with `permit` or `forbid`")
        } else {
            throw unexpected("`permit` or `forbid`")
        }
        _ = advance()
        _ = try expect(.leftParen)
        let (principal, pSpan) = try principalOrResource(.principal)
        _ = try expect(.comma, "`,` after the principal constraint")
        let (action, aSpan) = try actionConstraint()
        _ = try expect(.comma, "`,` after the action constraint")
        let (resource, rSpan) = try principalOrResource(.resource)
        if current.kind == .comma {
            throw fail("vigil.parse.extra_scope_element", "this policy has an extra element in the scope",
                       peek().span, help: "the scope has exactly three parts: principal, action, resource")
        }
        _ = try expect(.rightParen, "`)` to close the scope")
        var conditions: [Condition] = []
        while current.kind == .identifier {
            conditions.append(try condition())
        }
        let end = try expect(.semicolon, "`;` to end the policy")
        return Policy(
            annotations: annotations, effect: effect, principal: principal, action: action, resource: resource,
            conditions: conditions, span: SourceSpan(start: startToken.start, end: end.end),
            principalSpan: pSpan, actionSpan: aSpan, resourceSpan: rSpan)
    }

    private mutating func condition() throws(Abandon) -> Condition {
        let kw = current
        let kind: Condition.Kind
        if isWord(kw, "when") {
            kind = .when
        } else if isWord(kw, "unless") {
            kind = .unless
        } else {
            throw fail("vigil.parse.invalid_condition", "invalid policy condition `\(text(kw))`", kw.span,
                       help: "conditions are `when { … }` or `unless { … }`")
        }
        _ = advance()
        _ = try expect(.leftBrace, "`{` after `\(kind.rawValue)`")
        if current.kind == .rightBrace {
            let close = advance()
            throw fail("vigil.parse.empty_condition", "`\(kind.rawValue)` condition clause cannot be empty",
                       SourceSpan(start: kw.start, end: close.end))
        }
        let body = try expression()
        let close = try expect(.rightBrace, "`}` to close the `\(kind.rawValue)` clause")
        try rejectSlots(in: body, clause: kind.rawValue)
        return Condition(kind: kind, body: body, span: SourceSpan(start: kw.start, end: close.end))
    }

    /// Cedar allows slots only in the scope; one in a condition is an error.
    private mutating func rejectSlots(in e: Expr, clause: String) throws(Abandon) {
        var found: Expr? = nil
        e.visit { sub in
            if found == nil, case .slot = sub.kind { found = sub }
        }
        if let found, case .slot(let s) = found.kind {
            throw fail("vigil.parse.slot_in_condition", "found template slot `\(s.rawValue)` in a `\(clause)` clause",
                       found.span, help: "slots may appear only in the policy scope")
        }
    }

    // MARK: - Scope

    private mutating func scopeVariable(_ v: Variable) throws(Abandon) -> Token {
        let t = current
        guard t.kind == .identifier else { throw unexpected("`\(v.rawValue)`") }
        let word = text(t)
        guard word == v.rawValue else {
            if Variable(rawValue: word) != nil {
                throw fail("vigil.parse.wrong_scope_variable",
                           "found the variable `\(word)` where the variable `\(v.rawValue)` must be used", t.span,
                           help: "the scope lists `principal`, `action`, `resource` in that order")
            }
            throw fail("vigil.parse.missing_scope_variable", "expected `\(v.rawValue)` in the policy scope, found `\(word)`",
                       t.span)
        }
        _ = advance()
        if current.kind == .colon {
            throw fail("vigil.parse.type_constraint", "type constraints using `:` are not supported", current.span,
                       help: "use `\(v.rawValue) is Type` instead")
        }
        return t
    }

    private mutating func principalOrResource(_ v: Variable) throws(Abandon) -> (ScopeConstraint, SourceSpan) {
        let start = try scopeVariable(v).start
        let slot: Slot = v == .principal ? .principal : .resource
        let constraint: ScopeConstraint
        switch current.kind {
        case .equalEqual:
            _ = advance()
            constraint = .equals(try scopeReference(slot))
            if isWord(current, "is") {
                throw fail("vigil.parse.is_with_equals", "`is` cannot be used together with `==`", current.span)
            }
        case .identifier where isWord(current, "in"):
            _ = advance()
            constraint = .in(try scopeReference(slot))
            if isWord(current, "is") {
                throw fail("vigil.parse.in_before_is", "when `is` and `in` are used together, `is` must come first",
                           current.span)
            }
        case .identifier where isWord(current, "is"):
            _ = advance()
            let type = try name(purpose: "an entity type name after `is`")
            if isWord(current, "in") {
                _ = advance()
                constraint = .isIn(type, try scopeReference(slot))
            } else {
                constraint = .is(type)
            }
        case .comma, .rightParen:
            constraint = .any
        case .equal:
            throw fail("vigil.parse.single_equals", "'=' is not a valid operator in Cedar", current.span,
                       help: "try using `==` instead")
        default:
            throw fail("vigil.parse.invalid_scope_operator",
                       "invalid operator in the policy scope: expected `==`, `in`, `is`, `,` or `)`, found \(describe(current))",
                       current.span)
        }
        return (constraint, SourceSpan(start: start, end: tokens[max(0, index - 1)].end))
    }

    /// An entity uid or the template slot allowed in this position.
    private mutating func scopeReference(_ allowed: Slot) throws(Abandon) -> EntityReference {
        if current.kind == .slot {
            let t = advance()
            let s = text(t)
            guard s == allowed.rawValue else {
                if Slot(rawValue: s) != nil {
                    throw fail("vigil.parse.wrong_slot", "expected an entity uid or the slot `\(allowed.rawValue)`, found `\(s)`",
                               t.span)
                }
                throw fail("vigil.parse.invalid_slot", "`\(s)` is not a valid template slot", t.span,
                           help: "the slots are `?principal` and `?resource`")
            }
            return .slot(allowed)
        }
        return .entity(try entityUID(purpose: "an entity uid or template slot"))
    }

    private mutating func actionConstraint() throws(Abandon) -> (ActionConstraint, SourceSpan) {
        let start = try scopeVariable(.action).start
        let constraint: ActionConstraint
        switch current.kind {
        case .equalEqual:
            _ = advance()
            constraint = .equals(try actionUID())
        case .identifier where isWord(current, "in"):
            _ = advance()
            if current.kind == .leftBracket {
                _ = advance()
                var uids: [EntityUID] = []
                while current.kind != .rightBracket {
                    uids.append(try actionUID())
                    if current.kind == .comma { _ = advance() } else { break }
                }
                _ = try expect(.rightBracket, "`]` or `,` in the action list")
                constraint = .inSet(uids)
            } else {
                constraint = .in(try actionUID())
            }
        case .identifier where isWord(current, "is"):
            throw fail("vigil.parse.is_in_action_scope", "`is` cannot appear in the action scope", current.span)
        case .comma, .rightParen:
            constraint = .any
        case .equal:
            throw fail("vigil.parse.single_equals", "'=' is not a valid operator in Cedar", current.span,
                       help: "try using `==` instead")
        default:
            throw fail("vigil.parse.invalid_scope_operator",
                       "invalid operator in the action scope: expected `==`, `in`, `,` or `)`, found \(describe(current))",
                       current.span)
        }
        return (constraint, SourceSpan(start: start, end: tokens[max(0, index - 1)].end))
    }

    private mutating func actionUID() throws(Abandon) -> EntityUID {
        let start = current.start
        if current.kind == .slot {
            throw fail("vigil.parse.slot_in_action_scope", "template slots cannot appear in the action scope", current.span)
        }
        let uid = try entityUID(purpose: "an action entity uid")
        guard uid.isAction else {
            throw fail("vigil.parse.expected_action", "expected an entity uid with type `Action`, found `\(uid)`",
                       SourceSpan(start: start, end: tokens[max(0, index - 1)].end),
                       help: "actions have type `Action` or `Namespace::Action`")
        }
        return uid
    }

    // MARK: - Names and literals

    private mutating func identifier(purpose: String) throws(Abandon) -> (String, Token) {
        guard current.kind == .identifier else { throw unexpected(purpose) }
        let t = advance()
        let s = text(t)
        if CedarIdentifier.reserved.contains(s) {
            throw fail("vigil.parse.reserved_identifier", "this identifier is reserved and cannot be used: `\(s)`", t.span)
        }
        return (s, t)
    }

    /// A name `A::B::C` (not followed by a string: that would be an entity uid).
    private mutating func name(purpose: String) throws(Abandon) -> Name {
        var parts = [try identifier(purpose: purpose).0]
        while current.kind == .doubleColon, peek().kind == .identifier {
            _ = advance()
            parts.append(try identifier(purpose: "an identifier after `::`").0)
        }
        let last = parts.removeLast()
        return Name(namespace: parts, basename: last)
    }

    /// `Type::"id"` with an optionally namespaced type.
    private mutating func entityUID(purpose: String) throws(Abandon) -> EntityUID {
        guard current.kind == .identifier else { throw unexpected(purpose) }
        var parts = [try identifier(purpose: purpose).0]
        while true {
            guard current.kind == .doubleColon else { throw unexpected("`::` and a quoted entity id") }
            _ = advance()
            if current.kind == .string {
                let id = try stringValue(advance())
                let last = parts.removeLast()
                return EntityUID(type: Name(namespace: parts, basename: last), id: id)
            }
            if current.kind == .leftBrace {
                throw fail("vigil.parse.record_entity_ref", "record-style entity references are not supported",
                           current.span, help: "write the entity as `Type::\"id\"`")
            }
            parts.append(try identifier(purpose: "an identifier or a quoted entity id after `::`").0)
        }
    }

    /// Decodes a string token's escapes; reports an error located at the bad escape.
    private mutating func stringValue(_ t: Token) throws(Abandon) -> String {
        switch CedarString.unescape(bytes[(t.start + 1)..<(t.end - 1)]) {
        case .success(let s): return s
        case .failure(let e):
            let s = t.start + 1 + e.offset
            throw fail("vigil.parse.invalid_escape", e.message, SourceSpan(start: s, end: s + max(1, e.length)))
        }
    }

    // MARK: - Expressions

    /// Enters one level of recursive descent; pair with `leave()`.
    private mutating func enter() throws(Abandon) {
        depth += 1
        height += 1
        if depth > Parser.maxDepth {
            throw fail("vigil.parse.too_deep", "expression nested more than \(Parser.maxDepth) levels deep", current.span,
                       help: "split the condition into smaller parts")
        }
        try checkHeight()
    }

    private mutating func leave() {
        depth -= 1
        height -= 1
    }

    /// Adds one link of a flat chain to the tree height; the caller subtracts its links when the chain ends.
    private mutating func link(_ links: inout Int) throws(Abandon) {
        links += 1
        height += 1
        try checkHeight()
    }

    private mutating func checkHeight() throws(Abandon) {
        if height > Parser.maxHeight {
            throw fail("vigil.parse.too_deep", "expression has more than \(Parser.maxHeight) nested operations", current.span,
                       help: "split the condition into several `when` clauses or policies")
        }
    }

    private mutating func expression() throws(Abandon) -> Expr {
        try enter()
        defer { leave() }
        if isWord(current, "if") {
            let start = advance().start
            let c = try expression()
            _ = try expectWord("then")
            let t = try expression()
            _ = try expectWord("else")
            let e = try expression()
            return Expr(.ifThenElse(c, t, e), span: SourceSpan(start: start, end: e.span.end))
        }
        return try orExpression()
    }

    /// A left-associative chain `operand (op operand)*`, where `op` maps a token to its operator or `nil` to stop.
    /// Each link counts towards `maxHeight`, because the tree it builds is as tall as the chain is long.
    private mutating func leftAssociative(
        _ op: (TokenKind) -> BinaryOp?, _ operand: (inout Parser) throws(Abandon) -> Expr
    ) throws(Abandon) -> Expr {
        var lhs = try operand(&self)
        var links = 0
        defer { height -= links }
        while let o = op(current.kind) {
            _ = advance()
            try link(&links)
            let rhs = try operand(&self)
            lhs = Expr(.binary(o, lhs, rhs), span: lhs.span.union(rhs.span))
        }
        return lhs
    }

    private mutating func orExpression() throws(Abandon) -> Expr {
        try leftAssociative({ $0 == .orOr ? .or : nil }) { p throws(Abandon) in try p.andExpression() }
    }

    private mutating func andExpression() throws(Abandon) -> Expr {
        try leftAssociative({ $0 == .andAnd ? .and : nil }) { p throws(Abandon) in try p.relation() }
    }

    private func relationalOperator(_ t: Token) -> BinaryOp? {
        switch t.kind {
        case .equalEqual: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        case .identifier where isWord(t, "in"): return .in
        default: return nil
        }
    }

    private mutating func relation() throws(Abandon) -> Expr {
        let lhs = try additive()
        if current.kind == .equal {
            throw fail("vigil.parse.single_equals", "'=' is not a valid operator in Cedar", current.span,
                       help: "try using `==` instead")
        }
        if let op = relationalOperator(current) {
            _ = advance()
            let rhs = try additive()
            if relationalOperator(current) != nil || isWord(current, "has") || isWord(current, "like")
                || isWord(current, "is")
            {
                throw fail("vigil.parse.chained_relation",
                           "multiple relational operators (>, ==, in, etc.) must be used with parentheses to make ordering explicit",
                           current.span)
            }
            return Expr(.binary(op, lhs, rhs), span: lhs.span.union(rhs.span))
        }
        if isWord(current, "has") {
            _ = advance()
            var path: [String] = []
            var end = current.end
            if current.kind == .string {
                path = [try stringValue(current)]
                end = advance().end
            } else if current.kind == .identifier {
                let (first, t) = try identifier(purpose: "an attribute name after `has`")
                path = [first]
                end = t.end
                while current.kind == .dot {
                    _ = advance()
                    let (next, nt) = try identifier(purpose: "an attribute name after `.`")
                    path.append(next)
                    end = nt.end
                }
            } else {
                throw unexpected("an attribute name or string literal after `has`")
            }
            try rejectChain()
            return Expr(.hasAttribute(lhs, path), span: SourceSpan(start: lhs.span.start, end: end))
        }
        if isWord(current, "like") {
            _ = advance()
            guard current.kind == .string else {
                throw fail("vigil.parse.like_needs_pattern",
                           "right hand side of a `like` expression must be a pattern literal, found \(describe(current))",
                           current.span)
            }
            let t = advance()
            let pattern: [PatternElement]
            switch CedarString.decode(bytes[(t.start + 1)..<(t.end - 1)], pattern: true) {
            case .success(let p): pattern = p
            case .failure(let e):
                let s = t.start + 1 + e.offset
                throw fail("vigil.parse.invalid_escape", e.message, SourceSpan(start: s, end: s + max(1, e.length)))
            }
            try rejectChain()
            return Expr(.like(lhs, pattern), span: SourceSpan(start: lhs.span.start, end: t.end))
        }
        if isWord(current, "is") {
            _ = advance()
            let typeStart = current.start
            let type = try name(purpose: "an entity type name after `is`")
            var end = tokens[max(0, index - 1)].end
            if current.kind == .doubleColon {
                throw fail("vigil.parse.is_needs_type", "right hand side of an `is` expression must be an entity type name",
                           SourceSpan(start: typeStart, end: peek().end))
            }
            var inExpr: Expr? = nil
            if isWord(current, "in") {
                _ = advance()
                let target = try additive()
                end = target.span.end
                inExpr = target
            }
            try rejectChain()
            return Expr(.is(lhs, type, in: inExpr), span: SourceSpan(start: lhs.span.start, end: end))
        }
        return lhs
    }

    private mutating func rejectChain() throws(Abandon) {
        if relationalOperator(current) != nil || isWord(current, "has") || isWord(current, "like") || isWord(current, "is") {
            throw fail("vigil.parse.chained_relation",
                       "multiple relational operators (>, ==, in, etc.) must be used with parentheses to make ordering explicit",
                       current.span)
        }
    }

    private mutating func additive() throws(Abandon) -> Expr {
        try leftAssociative({ $0 == .plus ? .add : $0 == .minus ? .subtract : nil }) { p throws(Abandon) in
            try p.multiplicative()
        }
    }

    private mutating func multiplicative() throws(Abandon) -> Expr {
        let e = try leftAssociative({ $0 == .star ? .multiply : nil }) { p throws(Abandon) in try p.unary() }
        switch current.kind {
        case .slash: throw fail("vigil.parse.division", "division is not supported", current.span)
        case .percent: throw fail("vigil.parse.remainder", "remainder/modulo is not supported", current.span)
        default: return e
        }
    }

    /// Up to four `!` or `-` (Cedar's limit), then a member expression. A `-` directly before an integer literal
    /// makes a negative literal, so `-9223372036854775808` is representable.
    private mutating func unary() throws(Abandon) -> Expr {
        guard current.kind == .bang || current.kind == .minus else { return try member() }
        let opKind = current.kind
        var ops: [Token] = []
        while current.kind == opKind {
            ops.append(advance())
        }
        if ops.count > 4 {
            throw fail("vigil.parse.too_many_unary", "too many occurrences of `\(opKind == .bang ? "!" : "-")`",
                       SourceSpan(start: ops[0].start, end: ops[ops.count - 1].end),
                       help: "use parentheses to make the intent explicit")
        }
        var operand: Expr
        var remaining = ops.count
        if opKind == .minus, current.kind == .integer, !isFollowedByAccess(1) {
            // Fold the innermost `-` into the literal.
            let t = advance()
            operand = Expr(.literal(.long(try integer(t, negative: true))), span: SourceSpan(start: ops[ops.count - 1].start, end: t.end))
            remaining -= 1
        } else {
            operand = try member()
        }
        let op: UnaryOp = opKind == .bang ? .not : .negate
        while remaining > 0 {
            remaining -= 1
            operand = Expr(.unary(op, operand), span: SourceSpan(start: ops[remaining].start, end: operand.span.end))
        }
        return operand
    }

    /// Whether the token `n` ahead begins a member access (`.`, `[`, `(`), which binds tighter than unary minus.
    private func isFollowedByAccess(_ n: Int) -> Bool {
        let k = peek(n).kind
        return k == .dot || k == .leftBracket || k == .leftParen
    }

    private mutating func integer(_ t: Token, negative: Bool) throws(Abandon) -> Int64 {
        // Accumulate as a negative number so Int64.min is reachable.
        var value: Int64 = 0
        var overflow = false
        for b in bytes[t.start..<t.end] {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(b - 0x30))
            if o1 || o2 { overflow = true; break }
            value = s
        }
        if !negative {
            if value == Int64.min { overflow = true } else { value = -value }
        }
        if overflow {
            throw fail("vigil.parse.integer_too_large", "integer literal `\(negative ? "-" : "")\(text(t))` is too large",
                       t.span, help: "Cedar integers are 64-bit signed")
        }
        return value
    }

    private mutating func member() throws(Abandon) -> Expr {
        var e = try primary()
        var links = 0
        defer { height -= links }
        while true {
            switch current.kind {
            case .dot:
                _ = advance()
                try link(&links)
                let (field, ft) = try identifier(purpose: "an attribute or method name after `.`")
                if current.kind == .leftParen {
                    let args = try arguments()
                    e = try methodCall(e, field, ft, args.0, end: args.1)
                } else {
                    e = Expr(.getAttribute(e, field), span: SourceSpan(start: e.span.start, end: ft.end))
                }
            case .leftBracket:
                _ = advance()
                try link(&links)
                guard current.kind == .string else {
                    throw fail("vigil.parse.index_needs_string", "the contents of an index expression must be a string literal",
                               current.span)
                }
                let field = try stringValue(advance())
                let close = try expect(.rightBracket, "`]`")
                e = Expr(.getAttribute(e, field), span: SourceSpan(start: e.span.start, end: close.end))
            case .leftParen:
                throw fail("vigil.parse.invalid_call", "function calls must be of the form `<name>(arg1, arg2, ...)`",
                           SourceSpan(start: e.span.start, end: current.end))
            default:
                return e
            }
        }
    }

    private mutating func arguments() throws(Abandon) -> ([Expr], Int) {
        _ = try expect(.leftParen)
        var args: [Expr] = []
        while current.kind != .rightParen {
            args.append(try expression())
            if current.kind == .comma { _ = advance() } else { break }
        }
        let close = try expect(.rightParen, "`)` or `,` in the argument list")
        return (args, close.end)
    }

    private mutating func methodCall(_ receiver: Expr, _ name: String, _ nameToken: Token, _ args: [Expr], end: Int) throws(Abandon) -> Expr {
        let span = SourceSpan(start: receiver.span.start, end: end)
        if let arity = Extensions.builtinMethods[name] {
            try checkArity(name, expected: arity, got: args.count, span: span)
        } else if let f = Extensions.functions[name] {
            guard f.style == .method else {
                throw fail("vigil.parse.function_as_method", "`\(name)` is a function, not a method", nameToken.span,
                           help: "call it as `\(name)(…)`")
            }
            // Like Cedar, extension call arity is checked by the validator and at evaluation, not here.
        } else {
            throw fail("vigil.parse.unknown_method", "`\(name)` is not a valid method", nameToken.span,
                       help: suggestion(for: name, among: Array(Extensions.builtinMethods.keys)
                                        + Extensions.functions.values.filter { $0.style == .method }.map(\.name)))
        }
        return Expr(.method(receiver, name, args), span: span)
    }

    private mutating func checkArity(_ name: String, expected: Int, got: Int, span: SourceSpan) throws(Abandon) {
        guard expected != got else { return }
        throw fail("vigil.parse.wrong_arity",
                   "call to `\(name)` requires exactly \(expected) argument\(expected == 1 ? "" : "s"), but got \(got) argument\(got == 1 ? "" : "s")",
                   span)
    }

    private mutating func primary() throws(Abandon) -> Expr {
        try enter()
        defer { leave() }
        let t = current
        switch t.kind {
        case .integer:
            _ = advance()
            return Expr(.literal(.long(try integer(t, negative: false))), span: t.span)
        case .string:
            _ = advance()
            return Expr(.literal(.string(try stringValue(t))), span: t.span)
        case .slot:
            _ = advance()
            guard let s = Slot(rawValue: text(t)) else {
                throw fail("vigil.parse.invalid_slot", "`\(text(t))` is not a valid template slot", t.span,
                           help: "the slots are `?principal` and `?resource`")
            }
            return Expr(.slot(s), span: t.span)
        case .leftParen:
            _ = advance()
            let inner = try expression()
            let close = try expect(.rightParen, "`)`")
            // Keep the parenthesised span: a later error on this operand should underline the whole group.
            return Expr(inner.kind, span: SourceSpan(start: t.start, end: close.end))
        case .leftBracket:
            _ = advance()
            var elements: [Expr] = []
            while current.kind != .rightBracket {
                elements.append(try expression())
                if current.kind == .comma { _ = advance() } else { break }
            }
            let close = try expect(.rightBracket, "`]` or `,` in the set literal")
            return Expr(.set(elements), span: SourceSpan(start: t.start, end: close.end))
        case .leftBrace:
            return try record()
        case .identifier:
            return try identifierExpression()
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func record() throws(Abandon) -> Expr {
        let open = advance()
        var fields: [(String, Expr)] = []
        // Keys are compared by code points, as Cedar does: Swift's `String ==` would merge canonically
        // equivalent spellings such as `é` and `e\u{301}`.
        var seen: Set<[UInt8]> = []
        while current.kind != .rightBrace {
            let keyToken = current
            let key: String
            if keyToken.kind == .string {
                key = try stringValue(advance())
            } else if keyToken.kind == .identifier {
                key = try identifier(purpose: "a record key").0
            } else {
                throw unexpected("a record key (identifier or string)")
            }
            _ = try expect(.colon, "`:` after the record key")
            let value = try expression()
            if !seen.insert(Array(key.utf8)).inserted {
                throw fail("vigil.parse.duplicate_key", "duplicate key `\(key)` in record literal", keyToken.span)
            }
            fields.append((key, value))
            if current.kind == .comma { _ = advance() } else { break }
        }
        let close = try expect(.rightBrace, "`}` or `,` in the record literal")
        return Expr(.record(fields), span: SourceSpan(start: open.start, end: close.end))
    }

    /// A primary starting with an identifier: `true`/`false`, a variable, an entity uid, or a function call.
    private mutating func identifierExpression() throws(Abandon) -> Expr {
        let t = current
        if isWord(t, "true") || isWord(t, "false") {
            _ = advance()
            return Expr(.literal(.bool(isWord(t, "true"))), span: t.span)
        }
        if peek().kind != .doubleColon, let v = Variable(rawValue: text(t)) {
            _ = advance()
            return Expr(.variable(v), span: t.span)
        }
        // A path: `A::B::"id"` is an entity uid, `A::B(args)` a function call.
        var parts: [String] = []
        var last = t
        while true {
            let (part, pt) = try identifier(purpose: "an expression")
            parts.append(part)
            last = pt
            guard current.kind == .doubleColon else { break }
            _ = advance()
            if current.kind == .string {
                let idToken = advance()
                let id = try stringValue(idToken)
                let base = parts.removeLast()
                return Expr(.literal(.entity(EntityUID(type: Name(namespace: parts, basename: base), id: id))),
                            span: SourceSpan(start: t.start, end: idToken.end))
            }
            if current.kind == .leftBrace {
                throw fail("vigil.parse.record_entity_ref", "record-style entity references are not supported",
                           current.span, help: "write the entity as `Type::\"id\"`")
            }
        }
        let base = parts.removeLast()
        let name = Name(namespace: parts, basename: base)
        if current.kind == .leftParen {
            let (args, end) = try arguments()
            let span = SourceSpan(start: t.start, end: end)
            guard name.isUnqualified, let f = Extensions.functions[base] else {
                if Extensions.builtinMethods[base] != nil {
                    throw fail("vigil.parse.method_as_function", "`\(name)` is a method, not a function",
                               SourceSpan(start: t.start, end: last.end), help: "call it as `value.\(base)(…)`")
                }
                throw fail("vigil.parse.unknown_function", "`\(name)` is not a valid function",
                           SourceSpan(start: t.start, end: last.end),
                           help: suggestion(for: base, among: Extensions.functions.values.filter { $0.style == .function }.map(\.name)))
            }
            guard f.style == .function else {
                throw fail("vigil.parse.method_as_function", "`\(base)` is a method, not a function",
                           SourceSpan(start: t.start, end: last.end), help: "call it as `value.\(base)(…)`")
            }
            return Expr(.call(name, args), span: span)
        }
        if name.isUnqualified {
            throw fail("vigil.parse.unknown_variable", "invalid variable `\(base)`", SourceSpan(start: t.start, end: last.end),
                       help: "the variables are `principal`, `action`, `resource` and `context`; strings need double quotes")
        }
        throw fail("vigil.parse.incomplete_entity", "`\(name)` is not an expression: an entity uid needs a quoted id",
                   SourceSpan(start: t.start, end: last.end), help: "write `\(name)::\"id\"`")
    }

    /// A "did you mean" hint: the closest candidate by edit distance, when close enough.
    private func suggestion(for word: String, among candidates: [String]) -> String? {
        let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, word.count / 3) else { return nil }
        return "did you mean `\(best.0)`?"
    }
}

/// Levenshtein distance, for "did you mean" hints. Public so other modules' diagnostics suggest names the same way.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
