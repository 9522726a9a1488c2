import Foundation
import Testing
import VigilData
import VigilPolicy
import VigilSchema

/// Every entities file and request context of Cedar's conformance cases must load, as Cedar's own harness loads
/// them: with the test's schema (so `"0.6"` becomes a `decimal` where the schema says so) and, for contexts, the
/// request's action. Requests marked `validateRequest: false` need not conform to the schema; they are counted
/// separately and must at least load without it.
@Suite("Conformance: entities and context data")
struct DataConformanceTests {
    private struct Counts: CustomStringConvertible {
        var entityFiles = 0, entities = 0, contexts = 0, unvalidatedContexts = 0, unvalidatedNonConforming = 0
        var description: String {
            "\(entityFiles) entities files (\(entities) entities), \(contexts) contexts with validateRequest, "
                + "\(unvalidatedContexts) without (\(unvalidatedNonConforming) of them do not conform to the schema)"
        }
    }

    private func run(_ cases: [ConformanceCorpus.TestCase]) throws -> (Counts, [String]) {
        var schemas: [String: Schema] = [:]
        var counts = Counts()
        var failures: [String] = []
        var loadedEntities: Set<String> = []
        for c in cases {
            let schema: Schema
            do {
                let text = try #require(ConformanceCorpus.read(c.schemaPath), "cannot read \(c.schemaPath)")
                schema = try schemas[c.schemaPath] ?? Schema.parse(file: SourceFile(name: c.schemaPath, text: text))
                schemas[c.schemaPath] = schema
            } catch {
                failures.append("\(c.name): schema: \(error)")
                continue
            }
            if loadedEntities.insert(c.entitiesPath).inserted {
                let text = try #require(ConformanceCorpus.read(c.entitiesPath), "cannot read \(c.entitiesPath)")
                do {
                    let list = try EntityJSON.parse(SourceFile(name: c.entitiesPath, text: text), schema: schema)
                    counts.entityFiles += 1
                    counts.entities += list.count
                } catch {
                    failures.append("\(c.name): \(error.all[0])")
                }
            }
            let (file, requests) = try ConformanceCorpus.requestNodes(c)
            #expect(requests.count == c.requests.count, "\(c.name)")
            for (i, r) in requests.enumerated() {
                guard let action = ConformanceCorpus.uid(r["action"]), let context = r["context"] else {
                    failures.append("\(c.name) request \(i): no action or context")
                    continue
                }
                var validate = true
                if case .bool(let b)? = r["validateRequest"]?.value { validate = b }
                if validate {
                    counts.contexts += 1
                    do { _ = try ContextJSON.parse(context, in: file, action: action, schema: schema) } catch {
                        failures.append("\(c.name) request \(i): \(error.all[0])")
                    }
                } else {
                    counts.unvalidatedContexts += 1
                    if (try? ContextJSON.parse(context, in: file, action: action, schema: schema)) == nil {
                        counts.unvalidatedNonConforming += 1
                        do { _ = try ContextJSON.parse(context, in: file, action: action, schema: nil) } catch {
                            failures.append("\(c.name) request \(i) (unvalidated): \(error.all[0])")
                        }
                    }
                }
            }
        }
        return (counts, failures)
    }

    @Test("hand-written tests: sample-data entities and every context load with the schema")
    func handWritten() throws {
        let (counts, failures) = try run(ConformanceCorpus.handWritten)
        #expect(failures.isEmpty, "\(failures.count) failed; first: \(failures.prefix(5).joined(separator: "\n"))")
        #expect(counts.entityFiles == 2 && counts.contexts + counts.unvalidatedContexts == 74)
        print("hand-written: \(counts)")
    }

    /// Lets the corpus be shared by concurrent tasks: the cases are only read.
    private struct SharedCases: @unchecked Sendable {
        let cases: [ConformanceCorpus.TestCase]
    }

    @Test("corpus: every entities file and context loads with its schema")
    func corpus() async throws {
        let shared = SharedCases(cases: ConformanceCorpus.corpus)
        #expect(shared.cases.count == 7809)
        // Four slices in parallel keep this test within a few seconds of the corpus extraction.
        let slices = 4
        let results = try await withThrowingTaskGroup(of: (Counts, [String]).self) { group in
            for k in 0..<slices {
                group.addTask {
                    try self.run(stride(from: k, to: shared.cases.count, by: slices).map { shared.cases[$0] })
                }
            }
            var all: [(Counts, [String])] = []
            for try await r in group { all.append(r) }
            return all
        }
        var counts = Counts()
        var failures: [String] = []
        for (c, f) in results {
            counts.entityFiles += c.entityFiles
            counts.entities += c.entities
            counts.contexts += c.contexts
            counts.unvalidatedContexts += c.unvalidatedContexts
            counts.unvalidatedNonConforming += c.unvalidatedNonConforming
            failures += f
        }
        #expect(failures.isEmpty, "\(failures.count) failed; first: \(failures.prefix(5).joined(separator: "\n"))")
        #expect(counts.contexts + counts.unvalidatedContexts == 62472)
        print("corpus: \(counts)")
    }
}
