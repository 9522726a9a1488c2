import VigilPolicy

/// Collects the diagnostics for one policy, each located in the policy's file, worded as Cedar words them
/// (`for policy `policy0`, …`). A policy is checked once per request environment, so the same problem may be
/// found several times; it is recorded once.
final class DiagnosticSink {
    let file: SourceFile
    let policyID: String
    private(set) var errors: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []

    init(file: SourceFile, policyID: String) {
        self.file = file
        self.policyID = policyID
    }

    /// Records an error with code `vigil.validate.<what>`.
    func error(_ what: String, _ message: String, at span: SourceSpan, help: String? = nil) {
        let d = Diagnostic(
            code: "vigil.validate.\(what)", message: "for policy `\(policyID)`, \(message)", file: file, span: span,
            help: help)
        if seen.insert(d).inserted { errors.append(d) }
    }

    /// A warning, returned rather than recorded: warnings never make a policy invalid.
    func warning(_ what: String, _ message: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            code: "vigil.validate.\(what)", message: "for policy `\(policyID)`, \(message)", file: file, span: span,
            severity: .warning)
    }
}

/// The closest of `candidates` to `word` by edit distance, when close enough to be a plausible typo.
func closestMatch(to word: String, among candidates: [String]) -> String? {
    guard !word.isEmpty else { return nil }
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word, c)
        if let current = best, current.1 <= d { continue }
        best = (c, d)
    }
    guard let best, best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}
