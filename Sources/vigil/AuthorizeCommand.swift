import ArgumentParser
import Foundation
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema

/// `vigil authorize`: decide requests against an index through the C evaluator.
struct AuthorizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorize",
        abstract: "Decide authorization requests against a compiled Vigil index.",
        discussion: """
            One request from the options, or many from --requests: a JSON Lines file with one object a line, \
            `{"principal": {"type", "id"}, "action": …, "resource": …, "context": {…}, "session": "id"}` \
            (context and session optional). Each decision is made by libvigil, the same evaluator host \
            processes use. One request prints the decision, its determining policies and errors; --requests \
            prints one JSON object a line: {"decision": "allow"|"deny"|"step_up", "reasons": [positional ids], \
            "ids": [@id or positional id], "errors": [positional ids], "messages": […]}.

            Exit status: 0 whatever the decision, 1 when a request is malformed, 2 when the index cannot be read.

            Examples:
              vigil authorize --index /tmp/acme.index --principal 'User::"alice"' \\
                --action 'Action::"viewDocument"' --resource 'Document::"architecture-overview"' \\
                --context '{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z"}' --explain
              vigil authorize --index /tmp/acme.index --requests requests.jsonl [--batch]
              vigil authorize --remote http://127.0.0.1:8180 --principal 'User::"alice"' …
            """)

    @Option(help: ArgumentHelp("The index directory.", valueName: "dir"))
    var index: String?

    @Option(help: ArgumentHelp("Decide through a running vigild instead (its --listen address).", valueName: "url"))
    var remote: String?

    @Option(help: ArgumentHelp("The principal, in Cedar syntax: `User::\"alice\"`.", valueName: "uid"))
    var principal: String?

    @Option(help: ArgumentHelp("The action, in Cedar syntax.", valueName: "uid"))
    var action: String?

    @Option(help: ArgumentHelp("The resource, in Cedar syntax.", valueName: "uid"))
    var resource: String?

    @Option(help: ArgumentHelp("The context, a JSON object in Cedar's format.", valueName: "json"))
    var context: String?

    @Option(help: ArgumentHelp("The session id the request carries.", valueName: "id"))
    var session: String?

    @Flag(help: "Print a trace of how each candidate policy was evaluated.")
    var explain = false

    @Option(help: ArgumentHelp("Requests as JSON Lines, one decision printed per line.", valueName: "file"))
    var requests: String?

    @Option(help: ArgumentHelp("A schema: contexts are parsed by the action's context type.", valueName: "file"))
    var schema: String?

    @Flag(help: """
        With --requests: decide consecutive lines with the same principal, context and session in one \
        vigil_decide_batch call (at most 1,024 a call). The output is the same.
        """)
    var batch = false

    /// The most lines decided in one batch call: vigil.h sets no limit; this one bounds the results held at once
    /// (about 1 KiB each) and matches vigild's batch endpoint.
    static let batchLimit = 1024

    func validate() throws {
        guard (index == nil) != (remote == nil) else { throw ValidationError("give exactly one of --index and --remote") }
        if remote != nil && (requests != nil || explain || schema != nil) {
            throw ValidationError("--remote decides one request: --requests, --explain and --schema need --index")
        }
        if batch && requests == nil { throw ValidationError("--batch decides the lines of --requests: give --requests") }
        if requests == nil && (principal == nil || action == nil || resource == nil) {
            throw ValidationError("give --principal, --action and --resource, or --requests")
        }
    }

    func run() throws {
        guard let index else { return try RemoteDecision.run(self.remote ?? "", principal: uid(principal),
                                                            action: uid(action), resource: uid(resource),
                                                            context: context, session: session) }
        let authorizer: Authorizer
        do { authorizer = try Authorizer(path: index) } catch {
            FileHandle.standardError.write(Data("vigil authorize: cannot open index `\(index)`: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var parsedSchema: Schema?
        if let schema {
            do {
                parsedSchema = try Schema.parse(file: try PolicyFiles.read(schema))
            } catch let error as Diagnostics {
                DiagnosticOutput.emit(error.all, format: .human, summary: [:])
                throw ExitCode(1)
            }
        }
        if let requests {
            try runMany(requests, authorizer, parsedSchema)
        } else {
            try runOne(authorizer, parsedSchema)
        }
    }

    private func runOne(_ authorizer: Authorizer, _ schema: Schema?) throws {
        guard let p = uid(principal), let a = uid(action), let r = uid(resource) else {
            throw fail("--principal, --action and --resource must be entity uids such as `User::\"alice\"`")
        }
        var contextJSON = context
        if let context, let schema {
            let source = SourceFile(name: "--context", text: context)
            do { contextJSON = CedarJSON.encode(try ContextJSON.parse(source, action: a, schema: schema)) } catch {
                DiagnosticOutput.emit(error.all, format: .human, summary: [:])
                throw ExitCode(1)
            }
        }
        let request = Request(principal: p, action: a, resource: r, contextJSON: contextJSON, sessionID: session)
        do {
            if explain {
                let (decision, trace) = try authorizer.explain(request)
                print(trace)
                printDecision(decision)
            } else {
                printDecision(try authorizer.decide(request))
            }
        } catch {
            throw fail("\(error)")
        }
    }

    private func printDecision(_ d: Decision) {
        let cause: String? = switch d.cause {
        case .sessionRevoked: "session_revoked"
        case .sessionExpired: "session_expired"
        case .sessionUnknown: "session_unknown"
        default: nil
        }
        DecisionPrinter.print(effect: d.effect.rawValue, stepUpLevel: d.stepUpLevel.map(Int.init),
                              maxAge: d.maxAge.map(Int.init), cause: cause,
                              reasons: Array(zip(d.reasons, d.annotatedReasons)),
                              errors: d.errors.map { ($0.policyID, $0.message) }, generation: d.generation)
    }

    /// Decides each line of the file and prints one JSON object a line, in order; with --batch, consecutive lines
    /// that share a principal, context and session are decided in one call.
    private func runMany(_ path: String, _ authorizer: Authorizer, _ schema: Schema?) throws {
        let lines: [SourceFile]
        do { lines = try RequestLines.read(path) } catch {
            FileHandle.standardError.write(Data("vigil authorize: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var failed = false
        func emit(_ file: SourceFile, _ outcome: Result<Decision, any Error>) {
            do {
                print(try Self.line(try outcome.get()))
            } catch {
                FileHandle.standardError.write(Data("vigil authorize: \(file.name): \(error)\n".utf8))
                print(#"{"decision":"error"}"#)
                failed = true
            }
        }
        var group: [(file: SourceFile, request: Request)] = []
        func flush() {
            guard let base = group.first?.request else { return }
            let outcomes: [Result<Decision, any Error>]
            do {
                outcomes = try authorizer.decideBatch(
                    principal: base.principal, contextJSON: base.contextJSON, sessionID: base.sessionID,
                    nowMs: base.nowMs, pairs: group.map { ($0.request.action, $0.request.resource) }
                ).map { $0.mapError { $0 } }
            } catch {
                outcomes = Array(repeating: .failure(error), count: group.count)
            }
            for (member, outcome) in zip(group, outcomes) { emit(member.file, outcome) }
            group.removeAll(keepingCapacity: true)
        }
        for file in lines {
            let request: Request
            do { request = try RequestLines.parse(file, schema: schema) } catch {
                flush()
                emit(file, .failure(error))
                continue
            }
            guard batch else {
                emit(file, Result { try authorizer.decide(request) })
                continue
            }
            if let base = group.first?.request,
               group.count == Self.batchLimit || !Self.sharesBase(base, request) { flush() }
            group.append((file, request))
        }
        flush()
        if failed { throw ExitCode(1) }
    }

    /// Whether two requests may be decided in one batch: everything but the action and resource is the same.
    private static func sharesBase(_ a: Request, _ b: Request) -> Bool {
        a.principal == b.principal && a.contextJSON == b.contextJSON && a.sessionID == b.sessionID && a.nowMs == b.nowMs
    }

    /// A decision as one line of --requests output.
    private static func line(_ d: Decision) throws -> String {
        var out: [String: Any] = [
            "decision": d.effect.rawValue, "reasons": d.reasons,
            "ids": zip(d.reasons, d.annotatedReasons).map { $1 ?? $0 },
            "errors": d.errors.map(\.policyID), "messages": d.errors.map(\.message),
        ]
        if let level = d.stepUpLevel { out["step_up"] = ["level": level, "max_age": d.maxAge as Any] }
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// An entity uid in Cedar syntax.
    private func uid(_ text: String?) -> EntityUID? {
        text.flatMap { EntityUID(parsing: $0) }
    }

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("vigil authorize: \(message)\n".utf8))
        return ExitCode(1)
    }
}
