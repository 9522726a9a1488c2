import Foundation
import Testing
import VigilPolicy
import VigilSchema
import VigilValidator

@Suite("Conformance: validation")
struct ValidationConformanceTests {
    /// Cedar 4's strict-mode verdict (`shouldValidate`) for every test's policy set and schema.
    @Test("the validator agrees with Cedar on every hand-written and corpus test")
    func agreesWithCedar() throws {
        let cases = ConformanceCorpus.handWritten + ConformanceCorpus.corpus
        #expect(cases.count == 22 + 7809)
        var agreed = 0
        var mismatches: [String] = []
        for c in cases {
            guard let policyText = ConformanceCorpus.read(c.policiesPath),
                let schemaText = ConformanceCorpus.read(c.schemaPath)
            else {
                mismatches.append("\(c.name): cannot read its files")
                continue
            }
            let errors: [Diagnostic]
            do {
                let schema = try Schema.parse(file: SourceFile(name: c.schemaPath, text: schemaText))
                let file = SourceFile(name: c.policiesPath, text: policyText)
                var set = PolicySet()
                set.append(try Parser.parsePolicies(file), from: file)
                errors = Validator(schema: schema).validate(set)
            } catch {
                mismatches.append("\(c.name): \(error.all[0])")
                continue
            }
            if errors.isEmpty == c.shouldValidate {
                agreed += 1
            } else {
                let found = errors.isEmpty ? "no errors" : errors.prefix(3).map(\.description).joined(separator: "; ")
                mismatches.append("\(c.name): Cedar says \(c.shouldValidate ? "valid" : "invalid"), found \(found)")
            }
        }
        print("validation: \(agreed) of \(cases.count) agree with Cedar")
        let first = mismatches.prefix(8).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches; first: \(first)")
    }
}
