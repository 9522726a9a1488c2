/// The kinds of token in Cedar policy text (also used by the `.cedarschema` parser).
public enum TokenKind: UInt8, Sendable {
    case identifier      // any identifier, including keywords; the parser decides by text
    case integer         // digits only; the sign is a separate token
    case string          // a double-quoted string, escapes not yet decoded
    case slot            // `?principal`, `?resource`, or another `?name` (rejected by the parser)
    case at, dot, comma, semicolon, colon, doubleColon
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case equalEqual, notEqual, less, lessEqual, greater, greaterEqual
    case orOr, andAnd, plus, minus, star, slash, percent, bang, equal
    case question        // `?` alone: used by the schema format for optional attributes
    case invalid         // a character that starts no token
    case unterminatedString
    case endOfFile

    /// How the token is shown in "expected …, found …" messages.
    public var display: String {
        switch self {
        case .identifier: return "identifier"
        case .integer: return "integer"
        case .string: return "string literal"
        case .slot: return "template slot"
        case .at: return "`@`"
        case .dot: return "`.`"
        case .comma: return "`,`"
        case .semicolon: return "`;`"
        case .colon: return "`:`"
        case .doubleColon: return "`::`"
        case .leftParen: return "`(`"
        case .rightParen: return "`)`"
        case .leftBrace: return "`{`"
        case .rightBrace: return "`}`"
        case .leftBracket: return "`[`"
        case .rightBracket: return "`]`"
        case .equalEqual: return "`==`"
        case .notEqual: return "`!=`"
        case .less: return "`<`"
        case .lessEqual: return "`<=`"
        case .greater: return "`>`"
        case .greaterEqual: return "`>=`"
        case .orOr: return "`||`"
        case .andAnd: return "`&&`"
        case .plus: return "`+`"
        case .minus: return "`-`"
        case .star: return "`*`"
        case .slash: return "`/`"
        case .percent: return "`%`"
        case .bang: return "`!`"
        case .equal: return "`=`"
        case .question: return "`?`"
        case .invalid: return "invalid character"
        case .unterminatedString: return "unterminated string"
        case .endOfFile: return "end of input"
        }
    }
}

/// A token: its kind and byte span in the source.
public struct Token: Sendable {
    public var kind: TokenKind
    public var start: Int
    public var end: Int

    public var span: SourceSpan { SourceSpan(start: start, end: end) }
}
