import Foundation
import Testing
import VigilPolicy

extension ConformanceCorpus {
    /// The test file's requests as parsed JSON nodes, so contexts are read by Vigil's own JSON parser with their
    /// spans (a Foundation round trip would also lose characters such as U+FEFF in keys).
    static func requestNodes(_ c: TestCase) throws -> (SourceFile, [JSONNode]) {
        // A test file sits beside its policies (`tests/decimal/1.json` with `tests/decimal/policies_1.cedar`).
        let path = (c.policiesPath as NSString).deletingLastPathComponent + "/" + c.name
        let text = try #require(read(path), "cannot read \(path)")
        let file = SourceFile(name: path, text: text)
        guard case .array(let requests)? = try JSON.parse(file)["requests"]?.value else { return (file, []) }
        return (file, requests)
    }

    /// An entity uid written `{"type": …, "id": …}`.
    static func uid(_ node: JSONNode?) -> EntityUID? {
        guard case .string(let t)? = node?["type"]?.value, case .string(let id)? = node?["id"]?.value else { return nil }
        return EntityUID(type: Name(qualified: t), id: id)
    }

    /// The strings of a JSON array (`reason`, `errors`), sorted.
    static func strings(_ node: JSONNode?) -> [String] {
        guard case .array(let items)? = node?.value else { return [] }
        return items.compactMap { if case .string(let s) = $0.value { return s } else { return nil } }.sorted()
    }
}
