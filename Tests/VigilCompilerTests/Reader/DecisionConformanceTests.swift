import Foundation
import Testing
import VigilData
import VigilPolicy
import VigilSchema
@testable import VigilCompiler

/// Cedar's conformance requests decided through the compiler, the index and the C evaluator: decision, the
/// determining policies and the erroring policies must equal Cedar's.
@Suite struct DecisionConformanceTests {
    static let root: String = ProcessInfo.processInfo.environment["VIGIL_CONFORMANCE"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/cedar-conformance").path

    struct Outcome {
        var requests = 0
        var mismatches: [String] = []
    }

    /// Decides every request of one test file (`policies`, `entities`, `schema` relative to `base`).
    static func run(_ jsonPath: String, base: String, into outcome: inout Outcome) throws {
        let json = SourceFile(name: jsonPath, text: try String(contentsOfFile: jsonPath, encoding: .utf8))
        let root = try JSON.parse(json)
        func path(_ key: String) throws -> String {
            guard case .string(let p)? = root[key]?.value else { throw CProbe.ProbeError(output: "no \(key)") }
            return base + "/" + p
        }
        func file(_ key: String) throws -> SourceFile {
            let p = try path(key)
            return SourceFile(name: p, text: try String(contentsOfFile: p, encoding: .utf8))
        }
        let schema = try Schema.parse(file: file("schema"))
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file("policies")), from: try file("policies"))
        let entities = try EntityJSON.parse(file("entities"), schema: schema)
        let compiled = try Compiler(policies: set, entities: entities, schema: schema).compile()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-conf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try IndexWriter(directory: dir, mapSize: 32 << 20).publish(compiled)
        let az = try Authorizer(path: dir)
        guard case .array(let requests)? = root["requests"]?.value else { return }
        for (n, r) in requests.enumerated() {
            func uid(_ key: String) throws -> EntityUID {
                guard case .string(let t)? = r[key]?["type"]?.value, case .string(let i)? = r[key]?["id"]?.value
                else { throw CProbe.ProbeError(output: "bad \(key)") }
                return EntityUID(type: Name(qualified: t), id: i)
            }
            let action = try uid("action")
            let contextNode = r["context"] ?? JSONNode(.object([]), span: .none)
            var context: Value
            do { context = try ContextJSON.parse(contextNode, in: json, action: action, schema: schema) } catch {
                context = try ContextJSON.parse(contextNode, in: json, action: action, schema: nil)
            }
            let d = try az.decide(Request(principal: try uid("principal"), action: action,
                                          resource: try uid("resource"), context: context))
            func strings(_ key: String) -> [String] {
                guard case .array(let a)? = r[key]?.value else { return [] }
                return a.compactMap { if case .string(let s) = $0.value { s } else { nil } }
            }
            guard case .string(let expected)? = r["decision"]?.value else { continue }
            outcome.requests += 1
            let got = d.effect == .allow ? "allow" : "deny"
            if got != expected || d.reasons.sorted() != strings("reason").sorted()
                || d.errors.map(\.policyID).sorted() != strings("errors").sorted() {
                outcome.mismatches.append("\(jsonPath) request \(n): expected \(expected) \(strings("reason")) "
                    + "errors \(strings("errors")), got \(got) \(d.reasons) errors "
                    + "\(d.errors.map { "\($0.policyID): \($0.message)" })")
            }
        }
    }

    @Test func handWrittenTests() throws {
        var outcome = Outcome()
        let tests = Self.root + "/tests"
        for sub in try FileManager.default.contentsOfDirectory(atPath: tests).sorted() {
            for f in try FileManager.default.contentsOfDirectory(atPath: tests + "/" + sub).sorted()
            where f.hasSuffix(".json") {
                try Self.run(tests + "/" + sub + "/" + f, base: Self.root, into: &outcome)
            }
        }
        #expect(outcome.requests == 74)
        #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.prefix(10).joined(separator: "\n"))")
    }

    /// The generated corpus, when extracted at `$VIGIL_CORPUS` (the folder holding `corpus-tests/`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_CORPUS"] != nil))
    func corpus() throws {
        let base = ProcessInfo.processInfo.environment["VIGIL_CORPUS"] ?? ""
        var outcome = Outcome()
        var failures: [String] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: base + "/corpus-tests")
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".entities.json") }.sorted()
        for f in files {
            do { try Self.run(base + "/corpus-tests/" + f, base: base, into: &outcome) } catch {
                failures.append("\(f): \(error)")
            }
        }
        print("corpus: \(files.count) files, \(outcome.requests) requests, \(outcome.mismatches.count) mismatches, "
              + "\(failures.count) files failed")
        var seen: Set<String> = []
        for m in outcome.mismatches where seen.insert(String(m.prefix(60))).inserted { print(m) }
        for m in failures.prefix(20) { print(m) }
        #expect(outcome.mismatches.isEmpty && failures.isEmpty)
    }
}
