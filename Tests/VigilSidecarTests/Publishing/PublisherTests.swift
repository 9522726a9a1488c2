import Testing
@testable import VigilSidecar

/// The publisher runs on its own thread, off Swift's cooperative pool, and still publishes one generation per
/// accepted edit.
@Suite struct PublisherTests {
    @Test func publishesOnItsOwnThread() async throws {
        let fixture = try PublisherFixture(policies: #"permit (principal == User::"alice", action, resource);"#)
        let (publisher, writer) = try await fixture.publisher()
        #expect(await publisher.isOnWriterThread())
        let first = await publisher.status().generation
        #expect(first >= 1)
        #expect(await publisher.status().live)

        // An edit is one more generation; a broken one is refused and the live one stays.
        try fixture.write(policies: #"permit (principal == User::"bob", action, resource);"#)
        let second = await publisher.reloadPolicies(force: true)
        #expect(second == first + 1)
        try fixture.write(policies: "permit (principal, action")
        #expect(await publisher.reloadPolicies(force: true) == nil)
        #expect(await publisher.status().generation == first + 1)
        #expect(!(await publisher.status().policyErrors.isEmpty))
        writer.close()
    }
}
