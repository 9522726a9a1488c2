import Testing
import VigilCompiler
@testable import VigilSidecar

/// The data journal is compacted once it grows, and a sidecar restarted on the compacted journal (and the same
/// seed files) holds exactly the state it had.
@Suite struct JournalCompactionTests {
    @Test func aRestartOnTheCompactedJournalRebuildsTheSameState() async throws {
        let fixture = try PublisherFixture(policies: """
            permit (principal, action, resource) when { principal.risk < 50 };
            @id("grant") permit (principal == ?principal, action, resource in ?resource);
            """)
        let entities = try fixture.file("entities.json", """
            [{"uid": {"type": "User", "id": "alice"}, "attrs": {"risk": 10, "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}, "parents": [{"type": "Group", "id": "staff"}]},
             {"uid": {"type": "User", "id": "bob"}, "attrs": {"risk": 20}, "parents": []},
             {"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": []},
             {"uid": {"type": "Folder", "id": "f1"}, "attrs": {}, "parents": []},
             {"uid": {"type": "Folder", "id": "f2"}, "attrs": {}, "parents": []}]
            """)
        let links = try fixture.file("links.json", """
            [{"templateId": "grant", "newId": "seed-1", "values": {"?principal": {"type": "User", "id": "bob"}, "?resource": {"type": "Folder", "id": "f1"}}},
             {"templateId": "grant", "newId": "seed-2", "values": {"?principal": {"type": "User", "id": "alice"}, "?resource": {"type": "Folder", "id": "f2"}}}]
            """)
        func publisher(_ index: String) async throws -> (Publisher, IndexWriter) {
            try await fixture.publisher(index: index, seedEntities: entities, seedLinks: links, compactAfter: 12)
        }
        let (first, firstWriter) = try await publisher("index-1")
        func uid(_ i: Int) -> String { #"{"type": "User", "id": "u\#(i)"}"# }
        var requests: [DataRequest] = []
        for i in 0..<10 {   // new users, then changes to some of them
            requests.append(DataRequest(op: .upsertEntities, body: #"[{"uid": \#(uid(i)), "attrs": {"risk": \#(i), "tags": ["a", "b"]}, "parents": [{"type": "Group", "id": "staff"}], "tags": {"team": "t\#(i % 3)"}}]"#))
        }
        for i in 0..<10 where i % 2 == 0 {
            requests.append(DataRequest(op: .setRisk, params: ["User", "u\(i)"], body: #"{"risk": \#(90 - i)}"#))
        }
        requests += [
            DataRequest(op: .setAttribute, params: ["User", "alice", "nickname"], body: #"{"value": "Al \"the\" \\ one"}"#),
            DataRequest(op: .setRisk, params: ["User", "alice"], body: #"{"risk": 70}"#),
            DataRequest(op: .deleteEntity, params: ["User", "bob"]),
            DataRequest(op: .deleteEntity, params: ["User", "u3"]),
            DataRequest(op: .upsertSession, params: ["s-1"], body: #"{"attrs": {"aal": 1}, "expires_in_s": 3600}"#),
            DataRequest(op: .upsertSession, params: ["s-1"], body: #"{"attrs": {"aal": 2, "methods": ["totp"]}, "expires_in_s": 3600}"#),
            DataRequest(op: .upsertSession, params: ["s-2"], body: #"{"attrs": {"aal": 1}}"#),
            DataRequest(op: .revokeSession, params: ["s-2"]),
            DataRequest(op: .removeLink, params: ["seed-1"]),
            DataRequest(op: .addLink, body: #"{"templateId": "grant", "newId": "g-1", "values": {"?principal": \#(uid(1)), "?resource": {"type": "Folder", "id": "f1"}}, "expires_at_ms": 4102444800000}"#),
            DataRequest(op: .addLink, body: #"{"templateId": "grant", "newId": "g-2", "values": {"?principal": \#(uid(2)), "?resource": {"type": "Folder", "id": "f2"}}}"#),
            DataRequest(op: .removeLink, params: ["g-1"]),
            DataRequest(op: .addLink, body: #"{"templateId": "grant", "newId": "g-1", "values": {"?principal": \#(uid(4)), "?resource": {"type": "Folder", "id": "f2"}}}"#),
            DataRequest(op: .upsertEntities, body: #"[{"uid": {"type": "User", "id": "bob"}, "attrs": {"risk": 30}, "parents": []}]"#),
        ]
        for request in requests { _ = try await first.apply(request) }
        let state = await first.dataState()
        // 31 accepted changes, compacted after 12 and again after 24: fewer records than changes remain.
        let kept = await first.journalRecords()
        #expect(kept < requests.count)
        let lines = try String(contentsOfFile: fixture.journal, encoding: .utf8).split(separator: "\n").count
        #expect(lines == kept)
        #expect(state.sessions["s-2"]?.revoked == true)
        #expect(state.grants.map(\.link.newID) == ["seed-2", "g-2", "g-1"])
        let expectedEntities = 5 + 10 - 1 + 2   // seed, new users, u3 gone (bob deleted and back); session entities
        #expect(state.entities.count == expectedEntities)

        // A restart: the same seed files and the compacted journal give the same state.
        firstWriter.close()
        let (second, secondWriter) = try await publisher("index-2")
        let rebuilt = await second.dataState()
        #expect(rebuilt == state)
        secondWriter.close()
    }
}
