import Foundation
import Logging
import VigilCompiler
@testable import VigilSidecar

/// A temporary sidecar data layout for publisher tests: `root`, with a `policies` directory holding `p.cedar`;
/// removed when the fixture goes away.
final class PublisherFixture {
    let root: String
    var policies: String { root + "/policies" }
    var journal: String { root + "/journal.jsonl" }

    init(policies text: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pub-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        try write(policies: text)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Replaces `p.cedar`.
    func write(policies text: String) throws {
        try text.write(toFile: policies + "/p.cedar", atomically: true, encoding: .utf8)
    }

    /// Writes `text` to `name` under `root` and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
        return root + "/" + name
    }

    /// A started publisher on a fresh index `index` under `root`, with this fixture's policies and journal.
    func publisher(index: String = "index", seedEntities: String? = nil, seedLinks: String? = nil,
                   compactAfter: Int = 10_000) async throws -> (Publisher, IndexWriter) {
        let writer = try IndexWriter(directory: root + "/" + index, mapSize: 16 << 20)
        let publisher = try Publisher(writer: writer, policies: PolicyDirectory(directory: policies, schemaFile: nil),
                                      seedEntities: seedEntities, seedLinks: seedLinks, journalPath: journal,
                                      compactAfter: compactAfter, logger: Logger(label: "test"))
        await publisher.start()
        return (publisher, writer)
    }
}
