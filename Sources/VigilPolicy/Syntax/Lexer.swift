/// Splits Cedar source bytes into tokens. Never fails: bad input becomes `.invalid` or `.unterminatedString`
/// tokens that the parser reports with their location.
///
/// Whitespace and `//` comments are skipped. The lexer works on UTF-8 bytes; non-ASCII bytes are legal only
/// inside strings and comments.
public struct Lexer {
    private let bytes: [UInt8]
    private var pos = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lexes everything; the last token is always `.endOfFile`.
    public static func tokenize(_ bytes: [UInt8]) -> [Token] {
        var lexer = Lexer(bytes: bytes)
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3)
        while true {
            let t = lexer.next()
            tokens.append(t)
            if t.kind == .endOfFile { return tokens }
        }
    }

    @inline(__always) private static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    @inline(__always) private static func isIdentContinue(_ b: UInt8) -> Bool {
        isIdentStart(b) || (b >= 0x30 && b <= 0x39)
    }

    /// The next token.
    public mutating func next() -> Token {
        skipTrivia()
        let start = pos
        guard pos < bytes.count else { return Token(kind: .endOfFile, start: pos, end: pos) }
        let b = bytes[pos]
        pos += 1
        func make(_ k: TokenKind) -> Token { Token(kind: k, start: start, end: pos) }
        func peek(_ c: UInt8) -> Bool {
            if pos < bytes.count, bytes[pos] == c { pos += 1; return true }
            return false
        }
        switch b {
        case _ where Lexer.isIdentStart(b):
            while pos < bytes.count, Lexer.isIdentContinue(bytes[pos]) { pos += 1 }
            return make(.identifier)
        case 0x30...0x39:
            while pos < bytes.count, bytes[pos] >= 0x30 && bytes[pos] <= 0x39 { pos += 1 }
            return make(.integer)
        case UInt8(ascii: "\""):
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\\") {
                    pos = min(pos + 2, bytes.count)
                } else if c == UInt8(ascii: "\"") {
                    pos += 1
                    return make(.string)
                } else {
                    pos += 1
                }
            }
            return make(.unterminatedString)
        case UInt8(ascii: "?"):
            if pos < bytes.count, Lexer.isIdentStart(bytes[pos]) {
                while pos < bytes.count, Lexer.isIdentContinue(bytes[pos]) { pos += 1 }
                return make(.slot)
            }
            return make(.question)
        case UInt8(ascii: "@"): return make(.at)
        case UInt8(ascii: "."): return make(.dot)
        case UInt8(ascii: ","): return make(.comma)
        case UInt8(ascii: ";"): return make(.semicolon)
        case UInt8(ascii: ":"): return make(peek(UInt8(ascii: ":")) ? .doubleColon : .colon)
        case UInt8(ascii: "("): return make(.leftParen)
        case UInt8(ascii: ")"): return make(.rightParen)
        case UInt8(ascii: "{"): return make(.leftBrace)
        case UInt8(ascii: "}"): return make(.rightBrace)
        case UInt8(ascii: "["): return make(.leftBracket)
        case UInt8(ascii: "]"): return make(.rightBracket)
        case UInt8(ascii: "="): return make(peek(UInt8(ascii: "=")) ? .equalEqual : .equal)
        case UInt8(ascii: "!"): return make(peek(UInt8(ascii: "=")) ? .notEqual : .bang)
        case UInt8(ascii: "<"): return make(peek(UInt8(ascii: "=")) ? .lessEqual : .less)
        case UInt8(ascii: ">"): return make(peek(UInt8(ascii: "=")) ? .greaterEqual : .greater)
        case UInt8(ascii: "|"): return make(peek(UInt8(ascii: "|")) ? .orOr : .invalid)
        case UInt8(ascii: "&"): return make(peek(UInt8(ascii: "&")) ? .andAnd : .invalid)
        case UInt8(ascii: "+"): return make(.plus)
        case UInt8(ascii: "-"): return make(.minus)
        case UInt8(ascii: "*"): return make(.star)
        case UInt8(ascii: "/"): return make(.slash)
        case UInt8(ascii: "%"): return make(.percent)
        default:
            // Swallow the rest of a multi-byte UTF-8 character so the error covers the whole character.
            while pos < bytes.count, bytes[pos] & 0xC0 == 0x80 { pos += 1 }
            return make(.invalid)
        }
    }

    /// The spans of every `//` comment in `bytes` (each without its line break), in order. Used by the formatter
    /// to keep comments, which the token stream drops.
    public static func comments(in bytes: [UInt8]) -> [SourceSpan] {
        var lexer = Lexer(bytes: bytes)
        lexer.commentSpans = []
        while lexer.next().kind != .endOfFile {}
        return lexer.commentSpans ?? []
    }

    /// Collects comment spans when non-nil; `nil` (the default) keeps ordinary lexing free of that work.
    private var commentSpans: [SourceSpan]? = nil

    private mutating func skipTrivia() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pos += 1
            } else if b == UInt8(ascii: "/"), pos + 1 < bytes.count, bytes[pos + 1] == UInt8(ascii: "/") {
                let start = pos
                while pos < bytes.count, bytes[pos] != 0x0A, bytes[pos] != 0x0D { pos += 1 }
                commentSpans?.append(SourceSpan(start: start, end: pos))
            } else {
                return
            }
        }
    }
}
