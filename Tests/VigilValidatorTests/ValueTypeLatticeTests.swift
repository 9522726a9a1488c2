import Testing
import VigilPolicy
@testable import VigilValidator

@Suite("Validator: strict subtyping and least upper bounds")
struct ValueTypeLatticeTests {
    private let user = ValueType.entity(Name(qualified: "User"))
    private let photo = ValueType.entity(Name(qualified: "Photo"))

    private func record(_ attributes: [String: (ValueType, Bool)]) -> ValueType {
        .record(RecordShape(attributes: attributes.mapValues { RecordShape.Attribute(type: $0.0, isRequired: $0.1) }))
    }

    private func lub(_ a: ValueType, _ b: ValueType) -> Result<ValueType, LubFailure> {
        ValueType.leastUpperBound(a, b)
    }

    @Test("singleton booleans join to Bool; sets join element-wise")
    func booleans() {
        #expect(ValueType.alwaysTrue.isSubtype(of: .anyBool))
        #expect(!ValueType.anyBool.isSubtype(of: .alwaysTrue))
        #expect(lub(.alwaysTrue, .alwaysFalse) == .success(.anyBool))
        #expect(lub(.set(.alwaysTrue), .set(.alwaysFalse)) == .success(.set(.anyBool)))
    }

    @Test("different entity types never join, and neither do entities and records")
    func entities() {
        #expect(lub(user, user) == .success(user))
        #expect(lub(user, photo) == .failure(.entityType))
        #expect(lub(user, record([:])) == .failure(.entityRecord))
        #expect(lub(.long, .string) == .failure(.mismatch))
        #expect(lub(.set(user), .set(photo)) == .failure(.entityType))
    }

    @Test("records join only with the same attributes and the same optionality")
    func records() {
        let wider = record(["a": (.long, true), "b": (.long, true)])
        #expect(lub(record(["a": (.long, true)]), wider) == .failure(.recordWidth))
        #expect(lub(record(["a": (.long, true)]), record(["a": (.long, false)])) == .failure(.attributeQualifier))
        #expect(lub(record(["a": (.alwaysTrue, true)]), record(["a": (.alwaysFalse, true)]))
            == .success(record(["a": (.anyBool, true)])))
        // No width subtyping in strict mode.
        #expect(!record(["a": (.long, true), "b": (.long, true)]).isSubtype(of: record(["a": (.long, true)])))
    }

    @Test("the empty list joins to Never; a list joins left to right")
    func lists() {
        #expect(ValueType.leastUpperBound(of: []) == .success(.never))
        #expect(ValueType.leastUpperBound(of: [.alwaysTrue, .alwaysTrue]) == .success(.alwaysTrue))
        #expect(ValueType.leastUpperBound(of: [.long, .long, .string]) == .failure(.mismatch))
    }

    @Test("types print as Cedar writes them")
    func descriptions() {
        let quoted = record(["a": (.long, true), "my key": (.set(user), false), "if": (.string, true)])
        #expect(quoted.description == #"{a: Long, "if": String, "my key"?: Set<User>}"#)
        #expect(ValueType.extension("decimal").description == "decimal")
        #expect(ValueType.alwaysFalse.description == "Bool")
    }
}
