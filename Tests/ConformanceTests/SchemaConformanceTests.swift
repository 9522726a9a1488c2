import Foundation
import Testing
import VigilPolicy
import VigilSchema

@Suite("Conformance: schemas")
struct SchemaConformanceTests {
    @Test("every sample-data schema parses")
    func sampleDataSchemasParse() throws {
        let dir = ConformanceCorpus.root + "/sample-data"
        let files = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".cedarschema") }.sorted()
        #expect(files.count == 3)
        for f in files {
            let text = try #require(ConformanceCorpus.read(dir + "/" + f))
            do {
                let schema = try Schema.parse(cedarSchema: SourceFile(name: f, text: text))
                #expect(!schema.entityTypes.isEmpty, "\(f) declares no entity types")
            } catch {
                Issue.record("\(f): \(error)")
            }
        }
    }

    @Test("every hand-written and corpus schema parses, in both formats where Cedar gives both")
    func corpusSchemasParse() {
        let cases = ConformanceCorpus.handWritten + ConformanceCorpus.corpus
        #expect(cases.count == 22 + 7809)
        var paths = Set<String>()
        for c in cases { paths.insert(c.schemaPath) }
        var failures: [String] = []
        var parsed = 0
        for path in paths.sorted() {
            guard let text = ConformanceCorpus.read(path) else {
                failures.append("cannot read \(path)")
                continue
            }
            do {
                _ = try Schema.parse(file: SourceFile(name: path, text: text))
                parsed += 1
            } catch {
                failures.append("\(path): \(error.all[0])")
            }
        }
        #expect(parsed > 7800)
        #expect(failures.isEmpty, "\(failures.count) failed; first: \(failures.prefix(5).joined(separator: "\n"))")
    }
}
