/// Cedar string literals: decoding escapes (`\n`, `\u{1F600}`, …) and quoting values for printing.
///
/// The escape rules are Rust's, as in Cedar: `\n \r \t \\ \0 \' \"`, `\xNN` up to `\x7F`, `\u{N…}` with one to
/// six hex digits naming a Unicode scalar, and a backslash before a line break, which skips the break and the
/// whitespace after it. In a `like` pattern `\*` is a literal star.
public enum CedarString {
    /// A problem in an escape sequence, at a byte offset within the literal's body.
    public struct EscapeError: Error, Sendable {
        public var offset: Int
        public var length: Int
        public var message: String
    }

    /// Decodes the body of a string literal (without its quotes) into scalars; when `pattern` is set, unescaped `*`
    /// become wildcards. Returns the elements or the first escape error.
    public static func decode(
        _ body: ArraySlice<UInt8>, pattern: Bool
    ) -> Result<[PatternElement], EscapeError> {
        var out: [PatternElement] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        let end = body.endIndex
        func hex(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: return UInt32(b - 0x30)
            case 0x41...0x46: return UInt32(b - 0x41 + 10)
            case 0x61...0x66: return UInt32(b - 0x61 + 10)
            default: return nil
            }
        }
        while i < end {
            let b = body[i]
            if b != UInt8(ascii: "\\") {
                // Decode one UTF-8 scalar; the source came from a Swift String, so it is valid UTF-8.
                let len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                let stop = min(i + len, end)
                let scalar = String(decoding: body[i..<stop], as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
                out.append(pattern && b == UInt8(ascii: "*") ? .wildcard : .char(scalar))
                i = stop
                continue
            }
            let escStart = i
            i += 1
            guard i < end else {
                return .failure(EscapeError(offset: escStart - body.startIndex, length: 1, message: "string ends with a lone backslash"))
            }
            let c = body[i]
            i += 1
            switch c {
            case UInt8(ascii: "n"): out.append(.char("\n"))
            case UInt8(ascii: "r"): out.append(.char("\r"))
            case UInt8(ascii: "t"): out.append(.char("\t"))
            case UInt8(ascii: "\\"): out.append(.char("\\"))
            case UInt8(ascii: "0"): out.append(.char("\0"))
            case UInt8(ascii: "'"): out.append(.char("'"))
            case UInt8(ascii: "\""): out.append(.char("\""))
            case UInt8(ascii: "*") where pattern: out.append(.char("*"))
            case UInt8(ascii: "x"):
                guard i + 1 < end, let h = hex(body[i]), let l = hex(body[i + 1]) else {
                    return .failure(EscapeError(offset: escStart - body.startIndex, length: min(4, end - escStart), message: "invalid `\\x` escape: expected two hex digits"))
                }
                let v = h * 16 + l
                guard v <= 0x7F else {
                    return .failure(EscapeError(offset: escStart - body.startIndex, length: 4, message: "`\\x` escape must be at most `\\x7F`; use `\\u{…}` for other characters"))
                }
                out.append(.char(Unicode.Scalar(UInt8(v))))
                i += 2
            case UInt8(ascii: "u"):
                guard i < end, body[i] == UInt8(ascii: "{") else {
                    return .failure(EscapeError(offset: escStart - body.startIndex, length: 2, message: "invalid unicode escape: expected `\\u{…}`"))
                }
                i += 1
                var value: UInt32 = 0
                var digits = 0
                while i < end, body[i] != UInt8(ascii: "}") {
                    if body[i] == UInt8(ascii: "_") && digits > 0 { i += 1; continue }
                    guard let d = hex(body[i]), digits < 6 else {
                        return .failure(EscapeError(offset: escStart - body.startIndex, length: i - escStart + 1, message: "invalid unicode escape: expected one to six hex digits"))
                    }
                    value = value * 16 + d
                    digits += 1
                    i += 1
                }
                guard i < end, digits > 0 else {
                    return .failure(EscapeError(offset: escStart - body.startIndex, length: i - escStart, message: "invalid unicode escape: expected one to six hex digits and `}`"))
                }
                i += 1
                guard let scalar = Unicode.Scalar(value) else {
                    return .failure(EscapeError(offset: escStart - body.startIndex, length: i - escStart, message: "invalid unicode escape: `\(String(value, radix: 16))` is not a Unicode scalar value"))
                }
                out.append(.char(scalar))
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                // Line continuation: skip the break and any whitespace that follows.
                while i < end, [0x20, 0x09, 0x0A, 0x0D].contains(body[i]) { i += 1 }
            default:
                return .failure(EscapeError(offset: escStart - body.startIndex, length: 2, message: "unknown escape sequence `\\\(Character(Unicode.Scalar(c)))`"))
            }
        }
        return .success(out)
    }

    /// Decodes a string literal body to a `String`.
    public static func unescape(_ body: ArraySlice<UInt8>) -> Result<String, EscapeError> {
        // Most literals have no escapes: take the bytes as they are.
        if !body.contains(UInt8(ascii: "\\")) { return .success(String(decoding: body, as: UTF8.self)) }
        return decode(body, pattern: false).map { elements in
            var s = String.UnicodeScalarView()
            for case .char(let c) in elements { s.append(c) }
            return String(s)
        }
    }

    /// `s` as a Cedar string literal, with quotes, escaping what must be escaped and every control character.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars { appendEscaped(u, to: &out, escapeStar: false) }
        out += "\""
        return out
    }

    /// A `like` pattern as a quoted literal: literal stars become `\*`, wildcards `*`.
    public static func quotePattern(_ p: [PatternElement]) -> String {
        var out = "\""
        for e in p {
            switch e {
            case .wildcard: out += "*"
            case .char(let u): appendEscaped(u, to: &out, escapeStar: true)
            }
        }
        out += "\""
        return out
    }

    private static func appendEscaped(_ u: Unicode.Scalar, to out: inout String, escapeStar: Bool) {
        switch u {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\0": out += "\\0"
        case "*" where escapeStar: out += "\\*"
        default:
            if u.value < 0x20 || u.value == 0x7F || (u.properties.generalCategory == .format)
                || u.properties.generalCategory == .lineSeparator || u.properties.generalCategory == .paragraphSeparator
            {
                out += "\\u{\(String(u.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
}
