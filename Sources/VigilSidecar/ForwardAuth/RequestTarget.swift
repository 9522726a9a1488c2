/// The path of the original request, split into percent-decoded segments, as routes match it.
///
/// Decoding happens exactly once, here: a captured parameter is the decoded segment, so `%2e%2e` is `..` and is
/// refused like `..`, and `%252e` stays the three characters `%2e`. Refused outright (an invalid request, never a
/// match): a path that does not start with `/`, one longer than the limit, a bad or truncated `%` escape, a
/// segment that decodes to `.` or `..`, to bytes that are not UTF-8, or to control characters, and an empty segment
/// anywhere but at the end (`/a//b`). A trailing slash is kept as a final empty segment, so `/docs/1/` and
/// `/docs/1` are different paths.
public struct RequestTarget: Hashable, Sendable {
    /// The path as received, without the query.
    public var rawPath: String
    /// The decoded segments: `/docs/a%20b` is `["docs", "a b"]`; `/` is `[""]`.
    public var segments: [String]
    /// The query string after `?`, undecoded, when there is one.
    public var query: String?

    /// Why a request target was refused.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case notAbsolutePath
        case tooLong(limit: Int)
        case badEscape
        case dotSegment
        case emptySegment
        case notUTF8
        case controlCharacter

        public var description: String {
            switch self {
            case .notAbsolutePath: return "the request path does not start with `/`"
            case .tooLong(let limit): return "the request path is longer than \(limit) bytes"
            case .badEscape: return "the request path has an invalid percent escape"
            case .dotSegment: return "the request path has a `.` or `..` segment"
            case .emptySegment: return "the request path has an empty segment"
            case .notUTF8: return "the request path does not decode to UTF-8"
            case .controlCharacter: return "the request path decodes to a control character"
            }
        }
    }

    /// Splits and decodes a request target (`/path?query`; a `#fragment` is dropped).
    /// - Parameter maxBytes: the longest target accepted, query included.
    /// - Throws: `Problem` for a target that must not be authorized.
    public init(parsing uri: String, maxBytes: Int) throws(Problem) {
        let bytes = Array(uri.utf8)
        guard bytes.count <= maxBytes else { throw .tooLong(limit: maxBytes) }
        var end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let questionMark = bytes[..<end].firstIndex(of: UInt8(ascii: "?"))
        if let q = questionMark {
            query = String(decoding: bytes[(q + 1)..<end], as: UTF8.self)
            end = q
        }
        let path = bytes[..<end]
        guard path.first == UInt8(ascii: "/") else { throw .notAbsolutePath }
        rawPath = String(decoding: path, as: UTF8.self)
        let parts = path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var decoded: [String] = []
        decoded.reserveCapacity(parts.count)
        for (i, part) in parts.enumerated() {
            if part.isEmpty && i != parts.count - 1 { throw .emptySegment }
            let segment = try Self.decode(part)
            if segment == "." || segment == ".." { throw .dotSegment }
            decoded.append(segment)
        }
        segments = decoded
    }

    /// Percent-decodes one segment once.
    static func decode(_ part: ArraySlice<UInt8>) throws(Problem) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(part.count)
        var i = part.startIndex
        while i < part.endIndex {
            let b = part[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < part.endIndex, let hi = hex(part[i + 1]), let lo = hex(part[i + 2]) else {
                    throw .badEscape
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        if out.contains(where: { $0 < 0x20 || $0 == 0x7F }) { throw .controlCharacter }
        guard let s = String(validating: out, as: UTF8.self) else { throw .notUTF8 }
        return s
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
