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
@Suite("Conformance: decisions through the C evaluator")
struct DecisionConformanceTests {
    private struct Outcome {
        var requests = 0
        var mismatches: [String] = []
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

    /// Builds one test's index and decides its requests; the writer and reader are closed on return.
    private static func decide(
        _ c: ConformanceCorpus.TestCase, set: PolicySet, entities: [Entity], schema: Schema, index dir: URL,
        into outcome: inout Outcome
    ) throws {
        let compiled = try Compiler(policies: set, entities: entities, schema: schema).compile()
        let writer = try IndexWriter(directory: dir.path, mapSize: 64 << 20)
        _ = try writer.publish(compiled)
        let authorizer = try Authorizer(path: dir.path)
        do {
            let (file, requests) = try ConformanceCorpus.requestNodes(c)
            for (i, r) in requests.enumerated() {
                outcome.requests += 1
                guard let p = ConformanceCorpus.uid(r["principal"]), let a = ConformanceCorpus.uid(r["action"]),
                      let res = ConformanceCorpus.uid(r["resource"]), let ctx = r["context"]
                else {
                    outcome.mismatches.append("\(c.name) #\(i): malformed request")
                    continue
                }
                let context = try ContextJSON.parse(ctx, in: file, action: a, schema: schema)
                let d = try authorizer.decide(Request(principal: p, action: a, resource: res, context: context))
                guard case .string(let expected)? = r["decision"]?.value else { continue }
                let got = d.effect == .allow ? "allow" : "deny"
                let reasons = d.reasons.sorted()
                let errors = Set(d.errors.map(\.policyID)).sorted()
                let wantReasons = ConformanceCorpus.strings(r["reason"])
                let wantErrors = ConformanceCorpus.strings(r["errors"])
                if got != expected || reasons != wantReasons || errors != wantErrors {
                    outcome.mismatches.append(
                        "\(c.name) #\(i): want \(expected) \(wantReasons) errors \(wantErrors); "
                            + "got \(got) \(reasons) errors \(errors) \(d.errors.map(\.message))")
                }
            }
        }
    }

    private static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-decisions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("hand-written tests: all 74 requests get Cedar's decision, reasons and errors")
    func handWritten() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Self.decideAll(ConformanceCorpus.handWritten, in: dir)
        #expect(outcome.requests == 74)
        #expect(outcome.mismatches.count == 0,
                "\(outcome.mismatches.count) mismatches; first: \(outcome.mismatches.prefix(5).joined(separator: "\n"))")
        print("decisions, hand-written: \(outcome.requests - outcome.mismatches.count) of \(outcome.requests) agree")
    }

    /// Lets the corpus be shared by concurrent tasks: the cases are only read.
    private struct SharedCases: @unchecked Sendable {
        let cases: [ConformanceCorpus.TestCase]
    }

    @Test("corpus: all 62,472 requests get Cedar's decision, reasons and errors")
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
        print("decisions, corpus: \(requests - mismatches.count) of \(requests) agree")
    }
}
