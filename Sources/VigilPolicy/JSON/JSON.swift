/// A parsed JSON value with the source span of every node, so schema, entity and context errors can point at
/// the exact value (Foundation's JSONSerialization forgets positions).
public struct JSONNode: Sendable {
    public var value: JSONValue
    public var span: SourceSpan

    public init(_ value: JSONValue, span: SourceSpan) {
        self.value = value
        self.span = span
    }

    /// The value of the first member called `key`, when this is an object.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The kind of value, for "expected …, found …" messages.
    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// JSON values. Integers that fit in 64 bits are `.integer`; any other number keeps its text in `.number`.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(String)
    case string(String)
    case array([JSONNode])
    /// Members in document order; duplicate keys are kept so the consumer can report them.
    case object([(key: String, keySpan: SourceSpan, value: JSONNode)])
}

/// A strict RFC 8259 JSON parser that records spans and reports located errors.
public enum JSON {
    /// How deeply arrays and objects may nest; deeper input is refused rather than risking the stack.
    public static let maxDepth = 256

    /// Parses one JSON document.
    /// - Throws: `Diagnostics` with one error (`vigil.json.*`) located in `file`.
    public static func parse(_ file: SourceFile) throws(Diagnostics) -> JSONNode {
        var p = JSONParser(file: file)
        do throws(Diagnostic) {
            p.skipSpace()
            let node = try p.value(depth: 0)
            p.skipSpace()
            if p.pos < p.bytes.count {
                throw p.error("vigil.json.trailing", "unexpected content after the JSON value", at: p.pos)
            }
            return node
        } catch {
            throw Diagnostics(error)
        }
    }
}

private struct JSONParser {
    let file: SourceFile
    let bytes: [UInt8]
    var pos = 0

    init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    func error(_ code: String, _ message: String, at offset: Int, length: Int = 1) -> Diagnostic {
        let start = min(offset, bytes.count)
        return Diagnostic(code: code, message: message, file: file,
                          span: SourceSpan(start: start, end: min(start + length, bytes.count)))
    }

    mutating func skipSpace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 {
            pos += 1
        }
    }

    private func found() -> String {
        guard pos < bytes.count else { return "end of input" }
        let b = bytes[pos]
        return b >= 0x21 && b < 0x7F ? "`\(Character(Unicode.Scalar(b)))`" : "byte 0x\(String(b, radix: 16))"
    }

    mutating func value(depth: Int) throws(Diagnostic) -> JSONNode {
        guard depth < JSON.maxDepth else {
            throw error("vigil.json.too_deep", "JSON nested more than \(JSON.maxDepth) levels deep", at: pos)
        }
        guard pos < bytes.count else {
            throw error("vigil.json.unexpected_end", "unexpected end of input, expected a JSON value", at: pos)
        }
        let start = pos
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""):
            let s = try string()
            return JSONNode(.string(s), span: SourceSpan(start: start, end: pos))
        case UInt8(ascii: "t"): return try keyword("true", .bool(true))
        case UInt8(ascii: "f"): return try keyword("false", .bool(false))
        case UInt8(ascii: "n"): return try keyword("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default:
            throw error("vigil.json.unexpected_character", "expected a JSON value, found \(found())", at: pos)
        }
    }

    mutating func keyword(_ word: String, _ v: JSONValue) throws(Diagnostic) -> JSONNode {
        let start = pos
        for b in word.utf8 {
            guard pos < bytes.count, bytes[pos] == b else {
                throw error("vigil.json.unexpected_character", "invalid literal, expected `\(word)`", at: start, length: pos - start + 1)
            }
            pos += 1
        }
        return JSONNode(v, span: SourceSpan(start: start, end: pos))
    }

    mutating func number() throws(Diagnostic) -> JSONNode {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        func digits() -> Int {
            let s = pos
            while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
            return pos - s
        }
        let intStart = pos
        let intDigits = digits()
        guard intDigits > 0 else {
            throw error("vigil.json.invalid_number", "invalid number: expected a digit", at: pos)
        }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") {
            throw error("vigil.json.invalid_number", "invalid number: leading zeros are not allowed", at: intStart)
        }
        var isInteger = true
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            isInteger = false
            guard digits() > 0 else { throw error("vigil.json.invalid_number", "invalid number: expected a digit after `.`", at: pos) }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            isInteger = false
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { throw error("vigil.json.invalid_number", "invalid number: expected a digit in the exponent", at: pos) }
        }
        let span = SourceSpan(start: start, end: pos)
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if isInteger {
            // Accumulate negatively so Int64.min is representable.
            var v: Int64 = 0
            var overflow = false
            for b in bytes[intStart..<pos] {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int64(b - 0x30))
                if o1 || o2 { overflow = true; break }
                v = s
            }
            let negative = bytes[start] == UInt8(ascii: "-")
            if !overflow, !negative, v == Int64.min { overflow = true }
            if !overflow { return JSONNode(.integer(negative ? v : -v), span: span) }
        }
        return JSONNode(.number(text), span: span)
    }

    mutating func string() throws(Diagnostic) -> String {
        let open = pos
        pos += 1
        // Most strings have no escapes: find the closing quote and take the bytes as they are.
        var end = pos
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let s = String(decoding: bytes[pos..<end], as: UTF8.self)
            pos = end + 1
            return s
        }
        var out = String.UnicodeScalarView()
        var runStart = pos
        func flush(_ to: Int) {
            if to > runStart { out.append(contentsOf: String(decoding: bytes[runStart..<to], as: UTF8.self).unicodeScalars) }
        }
        while true {
            guard pos < bytes.count else {
                throw error("vigil.json.unterminated_string", "unterminated string", at: open, length: pos - open)
            }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                flush(pos)
                pos += 1
                return String(out)
            }
            if b < 0x20 {
                throw error("vigil.json.control_character", "control character in string must be escaped", at: pos)
            }
            if b != UInt8(ascii: "\\") {
                pos += 1
                continue
            }
            flush(pos)
            let escStart = pos
            pos += 1
            guard pos < bytes.count else {
                throw error("vigil.json.unterminated_string", "unterminated string", at: open, length: pos - open)
            }
            let c = bytes[pos]
            pos += 1
            switch c {
            case UInt8(ascii: "\""): out.append("\"")
            case UInt8(ascii: "\\"): out.append("\\")
            case UInt8(ascii: "/"): out.append("/")
            case UInt8(ascii: "b"): out.append("\u{08}")
            case UInt8(ascii: "f"): out.append("\u{0C}")
            case UInt8(ascii: "n"): out.append("\n")
            case UInt8(ascii: "r"): out.append("\r")
            case UInt8(ascii: "t"): out.append("\t")
            case UInt8(ascii: "u"):
                var unit = try hex4(escStart)
                if (0xD800...0xDBFF).contains(unit) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw error("vigil.json.invalid_escape", "unpaired surrogate in `\\u` escape", at: escStart, length: 6)
                    }
                    pos += 2
                    let low = try hex4(escStart)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw error("vigil.json.invalid_escape", "unpaired surrogate in `\\u` escape", at: escStart, length: 12)
                    }
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(unit) else {
                    throw error("vigil.json.invalid_escape", "unpaired surrogate in `\\u` escape", at: escStart, length: 6)
                }
                out.append(scalar)
            default:
                throw error("vigil.json.invalid_escape", "invalid escape sequence in string", at: escStart, length: 2)
            }
            runStart = pos
        }
    }

    mutating func hex4(_ escStart: Int) throws(Diagnostic) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else {
                throw error("vigil.json.invalid_escape", "incomplete `\\u` escape", at: escStart, length: pos - escStart)
            }
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("vigil.json.invalid_escape", "invalid hex digit in `\\u` escape", at: pos)
            }
            v = v * 16 + d
            pos += 1
        }
        return v
    }

    mutating func array(depth: Int) throws(Diagnostic) -> JSONNode {
        let start = pos
        pos += 1
        var items: [JSONNode] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return JSONNode(.array(items), span: SourceSpan(start: start, end: pos))
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard pos < bytes.count else {
                throw error("vigil.json.unexpected_end", "unexpected end of input in array", at: pos)
            }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
            throw error("vigil.json.expected_comma", "expected `,` or `]` in array, found \(found())", at: pos)
        }
        return JSONNode(.array(items), span: SourceSpan(start: start, end: pos))
    }

    mutating func object(depth: Int) throws(Diagnostic) -> JSONNode {
        let start = pos
        pos += 1
        var members: [(key: String, keySpan: SourceSpan, value: JSONNode)] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return JSONNode(.object(members), span: SourceSpan(start: start, end: pos))
        }
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
                throw error("vigil.json.expected_key", "expected a string key in object, found \(found())", at: pos)
            }
            let keyStart = pos
            let key = try string()
            let keySpan = SourceSpan(start: keyStart, end: pos)
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
                throw error("vigil.json.expected_colon", "expected `:` after object key, found \(found())", at: pos)
            }
            pos += 1
            skipSpace()
            members.append((key, keySpan, try value(depth: depth + 1)))
            skipSpace()
            guard pos < bytes.count else {
                throw error("vigil.json.unexpected_end", "unexpected end of input in object", at: pos)
            }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw error("vigil.json.expected_comma", "expected `,` or `}` in object, found \(found())", at: pos)
        }
        return JSONNode(.object(members), span: SourceSpan(start: start, end: pos))
    }
}
