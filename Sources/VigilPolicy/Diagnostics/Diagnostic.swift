/// A located problem in user input: a parse error, a schema error, a type error, a bad JSON value.
///
/// `code` is stable and machine-readable (`vigil.parse.unexpected_token`); `message` is one lowercase line with
/// no final period and user input in backticks, in the style of Cedar's messages.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// How serious the problem is.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    /// Stable machine-readable code, such as `vigil.parse.unexpected_token`.
    public var code: String
    /// One line describing the problem.
    public var message: String
    /// Where it is: the file and byte span. `nil` when the problem has no place in a file.
    public var file: SourceFile?
    public var span: SourceSpan
    /// For JSON input: the path of the offending value, such as `[3].attrs.owner`.
    public var jsonPath: String?
    /// An optional hint on how to fix it.
    public var help: String?
    public var severity: Severity

    public init(
        code: String, message: String, file: SourceFile? = nil, span: SourceSpan = .none,
        jsonPath: String? = nil, help: String? = nil, severity: Severity = .error
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.span = span
        self.jsonPath = jsonPath
        self.help = help
        self.severity = severity
    }

    /// `(line, column)` of the span's start, 1-based, when the diagnostic has a file.
    public var location: (line: Int, column: Int)? {
        file.map { $0.lineColumn(of: span.start) }
    }

    /// `file:line:col: error: message`, the first line of `rendered()`.
    public var description: String {
        var out = ""
        if let file {
            let (l, c) = file.lineColumn(of: span.start)
            out += "\(file.name):\(l):\(c): "
        }
        out += "\(severity.rawValue): \(message)"
        if let jsonPath { out += " (at `\(jsonPath)`)" }
        return out
    }

    /// The compiler-style display: the header line, the source line, a caret line under the span, and any help.
    public func rendered() -> String {
        var out = description + " [\(code)]"
        if let file {
            let (l, c) = file.lineColumn(of: span.start)
            let text = file.line(l)
            out += "\n  \(l) | \(text)\n"
            let gutter = String(repeating: " ", count: String(l).count)
            // Underline to the end of the span, but never past the end of this line.
            let endCol: Int = {
                let (el, ec) = file.lineColumn(of: span.end)
                return el == l ? ec : text.unicodeScalars.count + 1
            }()
            let width = max(1, endCol - c)
            out += "  \(gutter) | " + String(repeating: " ", count: c - 1) + "^" + String(repeating: "~", count: width - 1)
        }
        if let help { out += "\n  help: \(help)" }
        return out
    }

    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.code == b.code && a.message == b.message && a.span == b.span && a.file === b.file && a.jsonPath == b.jsonPath
    }

    public func hash(into h: inout Hasher) {
        h.combine(code)
        h.combine(message)
        h.combine(span)
    }
}

/// A non-empty list of diagnostics, thrown when input is rejected. Sorted by file and position.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    /// The diagnostics, at least one.
    public let all: [Diagnostic]

    /// Wraps a list that must not be empty; sorts it by location.
    public init(_ list: [Diagnostic]) {
        precondition(!list.isEmpty, "Diagnostics needs at least one diagnostic")
        self.all = list.sorted { a, b in
            let fa = a.file?.name ?? "", fb = b.file?.name ?? ""
            if fa != fb { return fa < fb }
            return a.span.start < b.span.start
        }
    }

    public init(_ one: Diagnostic) { self.all = [one] }

    /// All diagnostics rendered with source excerpts, separated by blank lines.
    public var description: String { all.map { $0.rendered() }.joined(separator: "\n\n") }
}
