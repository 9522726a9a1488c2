import Testing
import VigilPolicy

/// parse ∘ format = id on every policy Cedar's conformance suite has, and formatting is idempotent.
@Suite("Conformance: format round trip")
struct RoundTripConformanceTests {
    @Test("every hand-written and corpus policy set survives format then parse, and formatting is idempotent")
    func everyPolicySetRoundTrips() throws {
        let cases = ConformanceCorpus.handWritten + ConformanceCorpus.corpus
        #expect(cases.count == 22 + 7809)
        var policies = 0
        var failures: [String] = []
        for c in cases {
            guard let text = ConformanceCorpus.read(c.policiesPath),
                  let original = try? Parser.parsePolicies(text, name: c.policiesPath)
            else {
                failures.append("\(c.name): does not read or parse")
                continue
            }
            policies += original.count
            let formatted = PolicyFormatter.format(original)
            do {
                let reparsed = try Parser.parsePolicies(formatted, name: "formatted " + c.name)
                if reparsed != original {
                    let i = original.indices.first { $0 >= reparsed.count || original[$0] != reparsed[$0] } ?? original.count
                    let shown = i < original.count ? PolicyFormatter.format(original[i]) : formatted
                    failures.append("\(c.name): policy \(i) differs after the round trip:\n\(shown)")
                } else if PolicyFormatter.format(reparsed) != formatted {
                    failures.append("\(c.name): formatting is not idempotent:\n\(formatted)")
                }
            } catch {
                failures.append("\(c.name): formatted text does not parse: \(error.all[0])\n\(formatted)")
            }
        }
        #expect(policies > 7809, "round-tripped \(policies) policies")
        #expect(failures.isEmpty, "\(failures.count) failed; first: \(failures.prefix(3).joined(separator: "\n\n"))")
    }
}
