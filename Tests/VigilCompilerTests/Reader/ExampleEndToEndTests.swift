import Foundation
import Testing
import VigilData
import VigilPolicy
import VigilSchema
@testable import VigilCompiler

/// examples/saas compiled, published and decided through the C evaluator: every request in requests.jsonl gets
/// its expected decision, determining policies and step-up requirement, whether the context was parsed in Swift
/// or sent as plain JSON.
@Suite struct ExampleEndToEndTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/saas")

    static func read(_ relative: String) throws -> SourceFile {
        let url = example.appendingPathComponent(relative)
        return SourceFile(name: relative, text: try String(contentsOf: url, encoding: .utf8))
    }

    /// Compiles and publishes the example into a fresh directory; returns the directory and the schema.
    static func publish() throws -> (dir: String, schema: Schema) {
        let schema = try Schema.parse(file: read("schema.cedarschema"))
        var set = PolicySet()
        let names = try FileManager.default.contentsOfDirectory(atPath: example.appendingPathComponent("policies").path)
        for name in names.filter({ $0.hasSuffix(".cedar") }).sorted() {
            let file = try read("policies/" + name)
            set.append(try Parser.parsePolicies(file), from: file)
        }
        let entities = try EntityJSON.parse(read("entities.json"), schema: schema)
        let links = try TemplateLinkJSON.parse(read("links.json"))
        let compiled = try Compiler(policies: set, links: links, entities: entities, schema: schema).compile()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-e2e-\(UUID().uuidString)").path
        try IndexWriter(directory: dir, mapSize: 64 << 20).publish(compiled)
        return (dir, schema)
    }

    @Test func everyExampleRequestGetsItsExpectedDecision() throws {
        let (dir, schema) = try Self.publish()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let authorizer = try Authorizer(path: dir)
        let lines = try Self.read("requests.jsonl").text.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 22)
        for (n, line) in lines.enumerated() {
            let file = SourceFile(name: "requests.jsonl:\(n + 1)", text: String(line))
            let root = try JSON.parse(file)
            func uid(_ key: String) throws -> EntityUID {
                guard case .string(let t)? = root[key]?["type"]?.value, case .string(let i)? = root[key]?["id"]?.value
                else { throw CProbe.ProbeError(output: "bad \(key) on line \(n + 1)") }
                return EntityUID(type: Name(qualified: t), id: i)
            }
            let action = try uid("action")
            let context = try ContextJSON.parse(try #require(root["context"]), in: file, action: action, schema: schema)
            let decision = try authorizer.decide(Request(principal: try uid("principal"), action: action,
                                                         resource: try uid("resource"), context: context))
            guard case .string(let expected)? = root["decision"]?.value,
                  case .array(let reasons)? = root["reasons"]?.value
            else { throw CProbe.ProbeError(output: "bad expectation on line \(n + 1)") }
            let stepUp = root["stepUp"]
            let wanted: Decision.Effect = stepUp != nil ? .stepUp : (expected == "Allow" ? .allow : .deny)
            #expect(decision.effect == wanted, "line \(n + 1)")
            let ids = zip(decision.reasons, decision.annotatedReasons).map { $1 ?? $0 }
            let expectedIDs = reasons.compactMap { node -> String? in
                if case .string(let s) = node.value { return s }
                return nil
            }
            #expect(ids.sorted() == expectedIDs.sorted(), "line \(n + 1)")
            #expect(decision.errors.isEmpty, "line \(n + 1): \(decision.errors)")
            if case .integer(let level)? = stepUp?["level"]?.value { #expect(decision.stepUpLevel == UInt32(level)) }
            if case .integer(let age)? = stepUp?["maxAge"]?.value { #expect(decision.maxAge == UInt32(age)) }
            #expect(decision.generation == 1)
            // The same request with the context as the host sends it, plain JSON that the evaluator reads by the
            // schema's context types (ctx_types).
            let node = try #require(root["context"])
            let raw = String(decoding: file.bytes[node.span.start..<node.span.end], as: UTF8.self)
            let plain = try authorizer.decide(Request(principal: try uid("principal"), action: action,
                                                      resource: try uid("resource"), contextJSON: raw))
            #expect(plain == decision, "line \(n + 1)")
        }
    }
}
