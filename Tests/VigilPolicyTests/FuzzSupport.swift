import Foundation
import Testing
import VigilPolicy

/// Settings shared by the random round-trip tests and the parser fuzzers, read from the environment so that
/// `scripts/fuzz-parser.sh` can run the same tests for much longer:
/// - `VIGIL_FUZZ_ITERATIONS`: inputs per test (default: each test's own short count);
/// - `VIGIL_FUZZ_SEED`: the base seed (default fixed, so an ordinary `swift test` is deterministic);
/// - `VIGIL_FUZZ_SEED_DIR`: a folder of extra `.cedar` files to mutate (such as the extracted conformance corpus).
enum FuzzSettings {
    static func iterations(default count: Int) -> Int {
        ProcessInfo.processInfo.environment["VIGIL_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? count
    }

    static let seed: UInt64 = ProcessInfo.processInfo.environment["VIGIL_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? 0x5EED_0F_C0DE

    /// Stop reporting after this many failures in one test, so one bug does not bury the log.
    static let maxReportedFailures = 5

    /// Valid policy files to mutate: the hand-written conformance policies beside the checkout and any in
    /// `VIGIL_FUZZ_SEED_DIR`.
    static let seedFiles: [String] = {
        let here = URL(fileURLWithPath: #filePath)  // …/Tests/VigilPolicyTests/FuzzSupport.swift
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var dirs = [repo.deletingLastPathComponent().appendingPathComponent("shared/cedar-conformance/tests").path]
        if let extra = ProcessInfo.processInfo.environment["VIGIL_FUZZ_SEED_DIR"] { dirs.append(extra) }
        var texts: [String] = []
        for dir in dirs {
            let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
            for f in files.sorted() where f.hasSuffix(".cedar") {
                if let data = FileManager.default.contents(atPath: dir + "/" + f) {
                    texts.append(String(decoding: data, as: UTF8.self))
                }
            }
        }
        return texts
    }()
}

/// Runs the parser on one input and checks what must hold for any input: it returns or throws `Diagnostics`
/// (a crash ends the test process), each diagnostic points inside the file, and what parses survives
/// format-then-parse unchanged.
/// - Returns: a description of the first problem, or `nil`.
func parserProblem(_ text: String) -> String? {
    let file = SourceFile(name: "fuzz.cedar", text: text)
    let started = ContinuousClock.now
    defer {
        // A hang shows as a test that never ends; a slow input at least gets named.
        if ContinuousClock.now - started > .seconds(2) { Issue.record("slow input (over 2 s): \(text.debugDescription)") }
    }
    do {
        let policies = try Parser.parsePolicies(file)
        let formatted = PolicyFormatter.format(policies)
        guard let again = try? Parser.parsePolicies(formatted), again == policies else {
            return "parses, but its formatted text does not parse back to the same policies:\n\(formatted)"
        }
    } catch {
        if let bad = badDiagnostic(error, file) { return bad }
    }
    do {
        let e = try Parser.parseExpression(file)
        let formatted = PolicyFormatter.format(e)
        guard let again = try? Parser.parseExpression(SourceFile(name: "formatted", text: formatted)), again == e else {
            return "parses as an expression, but its formatted text does not parse back to it:\n\(formatted)"
        }
    } catch {
        if let bad = badDiagnostic(error, file) { return bad }
    }
    return nil
}

/// What is wrong with the diagnostics the parser threw for `file`, or `nil`: each must carry the file, a span inside
/// it, a `vigil.parse.` code and a message, and render without trapping.
func badDiagnostic(_ error: Diagnostics, _ file: SourceFile) -> String? {
    for d in error.all {
        guard d.file === file else { return "diagnostic without its file: \(d)" }
        guard 0 <= d.span.start, d.span.start <= d.span.end, d.span.end <= file.bytes.count else {
            return "diagnostic span \(d.span) outside the file (\(file.bytes.count) bytes): \(d)"
        }
        guard d.code.hasPrefix("vigil.parse."), !d.message.isEmpty else { return "malformed diagnostic: \(d)" }
        _ = d.rendered()  // rendering must not trap either
    }
    return nil
}
