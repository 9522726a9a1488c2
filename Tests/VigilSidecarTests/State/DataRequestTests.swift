import Testing
import VigilData
import VigilPolicy
@testable import VigilSidecar

/// Data API bodies as the journal replays them.
@Suite struct DataRequestTests {
    @Test func linkWithExpiry() throws {
        let body = #"{"templateId": "t", "newId": "g1", "values": {"?principal": {"type": "User", "id": "alice"}}, "expires_at_ms": 1767268800000}"#
        let change = try DataRequest(op: .addLink, body: body).change(schema: nil, nowMs: 0)
        guard case .addLink(let link, let expires) = change else {
            Issue.record("not a link: \(change)")
            return
        }
        #expect(link.newID == "g1")
        #expect(link.templateID == "t")
        #expect(link.values[.principal] == EntityUID(type: Name(basename: "User"), id: "alice"))
        #expect(expires == 1_767_268_800_000)
    }

    @Test func linkFieldsOtherThanTheExpiryAreStillRefused() {
        let body = #"{"templateId": "t", "newId": "g1", "values": {}, "expires_at": 1}"#
        #expect(throws: DataChangeError.self) { try DataRequest(op: .addLink, body: body).change(schema: nil, nowMs: 0) }
    }
}
