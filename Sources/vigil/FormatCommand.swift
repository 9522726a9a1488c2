import ArgumentParser
import Foundation
import VigilCompiler
import VigilPolicy

/// `vigil fmt`: rewrite policy files in the one canonical layout.
struct FormatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format Cedar policy files in Vigil's canonical layout.",
        discussion: """
            Rewrites each file in place (directories are searched for `.cedar` files). With --check nothing is \
            written: the command lists the files that are not formatted and exits 1 if there are any, which suits \
            CI. A path of `-` formats standard input to standard output.

            Comments between policies are kept, attached to the policy that follows them (or, when on the same \
            line, to the policy they end). A comment inside a policy cannot be placed reliably yet, so such a \
            file is reported and left unchanged.
            """)

    @Flag(help: "Do not write; exit 1 if any file is not already formatted.")
    var check = false

    @Argument(help: ArgumentHelp("Policy files or directories, or `-` for standard input.", valueName: "files"))
    var paths: [String]

    func run() throws {
        if paths == ["-"] {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let file = SourceFile(name: "<stdin>", text: String(decoding: data, as: UTF8.self))
            switch PolicyFileFormatter.format(file) {
            case .success(let text):
                if check {
                    if text != file.text { print("<stdin> is not formatted"); throw ExitCode(1) }
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            case .failure(let diagnostics):
                report(diagnostics)
                throw ExitCode(1)
            }
            return
        }
        let files: [String]
        do { files = try PolicyFiles.expand(paths) } catch {
            FileHandle.standardError.write(Data("vigil fmt: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var failed = false
        var unformatted: [String] = []
        for path in files {
            let file = try PolicyFiles.read(path)
            switch PolicyFileFormatter.format(file) {
            case .success(let text):
                guard text != file.text else { continue }
                if check {
                    unformatted.append(path)
                } else {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    print("formatted \(path)")
                }
            case .failure(let diagnostics):
                report(diagnostics)
                failed = true
            }
        }
        for path in unformatted { print("\(path) is not formatted") }
        if failed || !unformatted.isEmpty { throw ExitCode(1) }
    }

    private func report(_ diagnostics: Diagnostics) {
        FileHandle.standardError.write(Data((diagnostics.description + "\n").utf8))
    }
}

/// Formats a whole policy file, keeping its comments between policies.
enum PolicyFileFormatter {
    static func format(_ file: SourceFile) -> Result<String, Diagnostics> {
        let policies: [Policy]
        do { policies = try Parser.parsePolicies(file) } catch { return .failure(error) }
        let comments = Lexer.comments(in: file.bytes)
        var diagnostics: [Diagnostic] = []
        for c in comments where policies.contains(where: { $0.span.start < c.start && c.start < $0.span.end }) {
            diagnostics.append(Diagnostic(
                code: "vigil.fmt.comment_inside_policy",
                message: "cannot keep a comment inside a policy when formatting", file: file, span: c,
                help: "move the comment above the policy, then run `vigil fmt` again"))
        }
        if !diagnostics.isEmpty { return .failure(Diagnostics(diagnostics)) }

        func text(_ s: SourceSpan) -> String { String(decoding: file.bytes[s.start..<s.end], as: UTF8.self) }
        func line(_ offset: Int) -> Int { file.lineColumn(of: offset).line }
        // Whether the author left a blank line between two places; such a gap is kept (as one blank line), so
        // a file's header comment stays apart from the first policy.
        func blankBetween(_ end: Int, _ start: Int) -> Bool { line(start) - line(max(0, end - 1)) > 1 }

        var out = ""
        var next = 0  // index of the next comment to place
        var previousEnd = 0  // where the last placed policy or comment ended in the source
        for (i, policy) in policies.enumerated() {
            if i > 0 { out += "\n" }
            var placedComment = false
            while next < comments.count, comments[next].start < policy.span.start {
                if placedComment, blankBetween(previousEnd, comments[next].start) { out += "\n" }
                out += text(comments[next]) + "\n"
                previousEnd = comments[next].end
                placedComment = true
                next += 1
            }
            if placedComment, blankBetween(previousEnd, policy.span.start) { out += "\n" }
            out += PolicyFormatter.format(policy)
            previousEnd = policy.span.end
            // A comment on the same line as the policy's end stays there.
            if next < comments.count, line(comments[next].start) == line(policy.span.end - 1),
               i + 1 == policies.count || comments[next].start < policies[i + 1].span.start {
                out += " " + text(comments[next])
                previousEnd = comments[next].end
                next += 1
            }
            out += "\n"
        }
        if next < comments.count {
            if !out.isEmpty { out += "\n" }
            for c in comments[next...] { out += text(c) + "\n" }
        }
        return .success(out)
    }
}
