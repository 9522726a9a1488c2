import Testing
import VigilPolicy

@Suite("Conformance: parsing")
struct ParseConformanceTests {
    @Test("every hand-written and corpus policy set parses")
    func everyPolicySetParses() throws {
        let cases = ConformanceCorpus.handWritten + ConformanceCorpus.corpus
        #expect(cases.count == 22 + 7809)
        var failures: [String] = []
        for c in cases {
            guard let text = ConformanceCorpus.read(c.policiesPath) else {
                failures.append("\(c.name): cannot read \(c.policiesPath)")
                continue
            }
            do {
                _ = try Parser.parsePolicies(text, name: c.policiesPath)
            } catch {
                failures.append("\(c.name): \(error.all[0])")
            }
        }
        #expect(failures.count == 0, "\(failures.count) failed; first: \(failures.prefix(5).joined(separator: "\n"))")
    }
}
