import Foundation
import Testing
import VigilCompiler
import VigilData
import VigilPolicy
import VigilSchema

/// Every request of Cedar's conformance cases, decided by the C evaluator through libvigil's ABI over an index
/// that `Compiler` and `IndexWriter` built: the decision, the determining policies and the erroring policies
/// (positional ids) must be Cedar's. Entities and contexts are read with the test's schema, as Cedar's harness
/// reads them.
///
/// Each request is decided twice: alone (`vigil_decide`) and inside a batch (`vigil_decide_batch`) made of its
/// principal and context with every (action, resource) pair of its test file, its own at its own position. Its
/// pair must get Cedar's answer there too, and every other pair of the batch exactly what `vigil_decide` gives
/// that pair under the same principal and context, so the sharing between pairs (outcome caches per action and
/// resource) is checked on pairs that repeat actions and resources in every order.
@Suite("Conformance: decisions through the C evaluator")
struct DecisionConformanceTests {
    private struct Outcome {
        var requests = 0
        var mismatches: [String] = []
        /// Batches of two pairs or more, and their pairs.
        var batches = 0
        var batchPairs = 0
        /// Batch pairs other than the base request's own, compared with `vigil_decide`.
        var otherPairs = 0
    }

    /// A request of a test file as the evaluator got it, its decision alone, and the node with Cedar's answer.
    private struct Decided {
        var principal: EntityUID
        var pair: (action: EntityUID, resource: EntityUID)
        var contextJSON: String
        var decision: Decision
        var node: JSONNode
    }

    private static func decideAll(_ cases: [ConformanceCorpus.TestCase], in scratch: URL) throws -> Outcome {
        var outcome = Outcome()
        var schemas: [String: Schema] = [:]
        for (n, c) in cases.enumerated() {
            let schemaText = try #require(ConformanceCorpus.read(c.schemaPath))
            let schema = try schemas[c.schemaPath] ?? Schema.parse(file: SourceFile(name: c.schemaPath, text: schemaText))
            schemas[c.schemaPath] = schema
            let policyFile = SourceFile(name: c.policiesPath, text: try #require(ConformanceCorpus.read(c.policiesPath)))
            var set = PolicySet()
            set.append(try Parser.parsePolicies(policyFile), from: policyFile)
            let entityText = try #require(ConformanceCorpus.read(c.entitiesPath))
            let entities = try EntityJSON.parse(SourceFile(name: c.entitiesPath, text: entityText), schema: schema)

            let dir = scratch.appendingPathComponent("index-\(n)")
            try decide(c, set: set, entities: entities, schema: schema, index: dir, into: &outcome)
            try? FileManager.default.removeItem(at: dir)
        }
        return outcome
    }

    /// Builds one test's index and decides its requests, alone and in batches; the writer and reader are closed
    /// on return.
    private static func decide(
        _ c: ConformanceCorpus.TestCase, set: PolicySet, entities: [Entity], schema: Schema, index dir: URL,
        into outcome: inout Outcome
    ) throws {
        let compiled = try Compiler(policies: set, entities: entities, schema: schema).compile()
        let writer = try IndexWriter(directory: dir.path, mapSize: 64 << 20)
        _ = try writer.publish(compiled)
        let authorizer = try Authorizer(path: dir.path)
        let (file, requests) = try ConformanceCorpus.requestNodes(c)
        var decided: [Decided] = []
        for (i, r) in requests.enumerated() {
            outcome.requests += 1
            guard let p = ConformanceCorpus.uid(r["principal"]), let a = ConformanceCorpus.uid(r["action"]),
                  let res = ConformanceCorpus.uid(r["resource"]), let ctx = r["context"]
            else {
                outcome.mismatches.append("\(c.name) #\(i): malformed request")
                continue
            }
            let context = CedarJSON.encode(try ContextJSON.parse(ctx, in: file, action: a, schema: schema))
            let d = try authorizer.decide(Request(principal: p, action: a, resource: res, contextJSON: context))
            if let problem = mismatch(d, r) { outcome.mismatches.append("\(c.name) #\(i): \(problem)") }
            decided.append(Decided(principal: p, pair: (a, res), contextJSON: context, decision: d, node: r))
        }
        guard decided.count > 1 else { return }
        let pairs = decided.map(\.pair)
        for (i, base) in decided.enumerated() {
            let batch = try authorizer.decideBatch(principal: base.principal, contextJSON: base.contextJSON,
                                                   pairs: pairs)
            outcome.batches += 1
            outcome.batchPairs += batch.count
            for (j, got) in batch.enumerated() {
                let want: Result<Decision, AuthorizerError>
                if j == i {
                    want = .success(base.decision)
                    if case .success(let d) = got, let problem = mismatch(d, base.node) {
                        outcome.mismatches.append("\(c.name) #\(i) in a batch of \(batch.count): \(problem)")
                    }
                } else {
                    outcome.otherPairs += 1
                    want = Result { () throws(AuthorizerError) in
                        try authorizer.decide(Request(principal: base.principal, action: pairs[j].action,
                                                      resource: pairs[j].resource, contextJSON: base.contextJSON))
                    }
                }
                if got != want {
                    outcome.mismatches.append(
                        "\(c.name): pair \(j) of the batch of request #\(i): vigil_decide gives \(want), "
                            + "the batch \(got)")
                }
            }
        }
    }

    /// How a decision differs from Cedar's answer in the request node (nil when it does not).
    private static func mismatch(_ d: Decision, _ r: JSONNode) -> String? {
        guard case .string(let expected)? = r["decision"]?.value else { return nil }
        let got = d.effect == .allow ? "allow" : "deny"
        let reasons = d.reasons.sorted()
        let errors = Set(d.errors.map(\.policyID)).sorted()
        let wantReasons = ConformanceCorpus.strings(r["reason"])
        let wantErrors = ConformanceCorpus.strings(r["errors"])
        guard got != expected || reasons != wantReasons || errors != wantErrors else { return nil }
        return "want \(expected) \(wantReasons) errors \(wantErrors); got \(got) \(reasons) errors \(errors) "
            + "\(d.errors.map(\.message))"
    }

    private static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-decisions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("hand-written tests: all 74 requests get Cedar's decision, reasons and errors, alone and in batches")
    func handWritten() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Self.decideAll(ConformanceCorpus.handWritten, in: dir)
        #expect(outcome.requests == 74)
        #expect(outcome.mismatches.count == 0,
                "\(outcome.mismatches.count) mismatches; first: \(outcome.mismatches.prefix(5).joined(separator: "\n"))")
        #expect(outcome.batches == 74 && outcome.batchPairs == 284 && outcome.otherPairs == 210)
        print("decisions, hand-written: \(outcome.requests - outcome.mismatches.count) of \(outcome.requests) agree; "
              + Self.batchSummary(outcome))
    }

    /// Lets the corpus be shared by concurrent tasks: the cases are only read.
    private struct SharedCases: @unchecked Sendable {
        let cases: [ConformanceCorpus.TestCase]
    }

    @Test("corpus: all 62,472 requests get Cedar's decision, reasons and errors, alone and in batches")
    func corpus() async throws {
        let shared = SharedCases(cases: ConformanceCorpus.corpus)
        #expect(shared.cases.count == 7809)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slices = 4
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for k in 0..<slices {
                group.addTask {
                    let mine = stride(from: k, to: shared.cases.count, by: slices).map { shared.cases[$0] }
                    let sliceDir = dir.appendingPathComponent("slice-\(k)")
                    try FileManager.default.createDirectory(at: sliceDir, withIntermediateDirectories: true)
                    return try Self.decideAll(mine, in: sliceDir)
                }
            }
            var all: [Outcome] = []
            for try await o in group { all.append(o) }
            return all
        }
        let requests = outcomes.reduce(0) { $0 + $1.requests }
        let mismatches = outcomes.flatMap(\.mismatches)
        #expect(requests == 62472)
        #expect(mismatches.count == 0,
                "\(mismatches.count) mismatches; first: \(mismatches.prefix(5).joined(separator: "\n"))")
        let total = outcomes.reduce(into: Outcome()) { sum, o in
            (sum.batches, sum.batchPairs, sum.otherPairs) =
                (sum.batches + o.batches, sum.batchPairs + o.batchPairs, sum.otherPairs + o.otherPairs)
        }
        #expect(total.batches == 62472 && total.batchPairs == 499_776 && total.otherPairs == 437_304)
        print("decisions, corpus: \(requests - mismatches.count) of \(requests) agree; " + Self.batchSummary(total))
    }

    private static func batchSummary(_ o: Outcome) -> String {
        "\(o.batches) requests also decided in batches (\(o.batchPairs) pairs; the \(o.otherPairs) other pairs "
            + "compared with vigil_decide)"
    }
}
