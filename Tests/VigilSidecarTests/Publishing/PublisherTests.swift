import Foundation
import Logging
import Testing
import VigilCompiler
@testable import VigilSidecar

/// The publisher runs on its own thread, off Swift's cooperative pool, and still publishes one generation per
/// accepted edit.
@Suite struct PublisherTests {
    @Test func publishesOnItsOwnThread() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pub-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let policies = root + "/policies"
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        try #"permit (principal == User::"alice", action, resource);"#.write(
            toFile: policies + "/p.cedar", atomically: true, encoding: .utf8)
        let writer = try IndexWriter(directory: root + "/index", mapSize: 16 << 20)
        let publisher = try Publisher(writer: writer, policies: PolicyDirectory(directory: policies, schemaFile: nil),
                                      seedEntities: nil, journalPath: root + "/journal.jsonl",
                                      logger: Logger(label: "test"))
        await publisher.start()
        #expect(await publisher.isOnWriterThread())
        let first = await publisher.status().generation
        #expect(first >= 1)
        #expect(await publisher.status().live)

        // An edit is one more generation; a broken one is refused and the live one stays.
        try #"permit (principal == User::"bob", action, resource);"#.write(
            toFile: policies + "/p.cedar", atomically: true, encoding: .utf8)
        let second = await publisher.reloadPolicies(force: true)
        #expect(second == first + 1)
        try "permit (principal, action".write(toFile: policies + "/p.cedar", atomically: true, encoding: .utf8)
        #expect(await publisher.reloadPolicies(force: true) == nil)
        #expect(await publisher.status().generation == first + 1)
        #expect(!(await publisher.status().policyErrors.isEmpty))
        writer.close()
    }
}
