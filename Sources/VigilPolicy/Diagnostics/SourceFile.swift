/// One piece of source text (a policy file, a schema, a JSON document) that diagnostics can point into.
///
/// Immutable and shared: AST nodes keep only compact byte spans, and whoever reports an error pairs the span with
/// the file it came from. Line and column are computed only when an error is displayed.
public final class SourceFile: Sendable {
    /// The name shown in diagnostics, usually the path as the user gave it.
    public let name: String
    /// The full text.
    public let text: String
    /// UTF-8 bytes of `text`, which spans index into.
    public let bytes: [UInt8]
    /// Byte offset where each line starts; line N (1-based) starts at `lineStarts[N-1]`.
    private let lineStarts: [Int]

    /// Creates a source file from its display name and text.
    public init(name: String, text: String) {
        self.name = name
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// Line and column (both 1-based; the column counts Unicode scalars) of a byte offset.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        // Count scalars, not bytes, so a caret lines up under non-ASCII text. Continuation bytes are 10xxxxxx.
        var column = 1
        for b in bytes[start..<offset] where b & 0xC0 != 0x80 { column += 1 }
        return (lo + 1, column)
    }

    /// The text of a 1-based line, without its line terminator.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// A byte range in some source file. Equality of AST nodes ignores spans, so two equal policies stay equal
/// wherever they were written.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    /// Offset of the first byte.
    public var start: Int
    /// Offset one past the last byte.
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// A span covering both `self` and `other`.
    public func union(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(start: min(start, other.start), end: max(end, other.end))
    }

    /// An empty span, used for nodes built by code rather than parsed.
    public static let none = SourceSpan(start: 0, end: 0)

    public var description: String { "\(start)..<\(end)" }
}
