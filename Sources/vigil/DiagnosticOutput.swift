import Foundation
import VigilPolicy

/// How diagnostics are printed: for people (source excerpts with carets) or for tools (one JSON document).
enum DiagnosticFormat: String, CaseIterable, Sendable {
    case human
    case json
}

enum DiagnosticOutput {
    /// Prints diagnostics to standard error (human) or standard output (JSON, together with the summary).
    static func emit(_ diagnostics: [Diagnostic], format: DiagnosticFormat, summary: [String: Any]) {
        switch format {
        case .human:
            for d in diagnostics { FileHandle.standardError.write(Data((d.rendered() + "\n\n").utf8)) }
        case .json:
            var doc = summary
            doc["diagnostics"] = diagnostics.map(json)
            if let data = try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys]) {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
    }

    /// One diagnostic as a JSON object: the same shape the HTTP API will use.
    static func json(_ d: Diagnostic) -> [String: Any] {
        var o: [String: Any] = ["code": d.code, "message": d.message, "severity": d.severity.rawValue]
        if let file = d.file {
            let (line, column) = file.lineColumn(of: d.span.start)
            o["location"] = ["file": file.name, "line": line, "column": column, "start": d.span.start, "end": d.span.end]
        }
        if let p = d.jsonPath { o["json_path"] = p }
        if let h = d.help { o["help"] = h }
        return o
    }
}
