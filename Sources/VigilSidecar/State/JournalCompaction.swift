import VigilCompiler
import VigilData
import VigilPolicy

/// The data journal, compacted: the requests that turn the seed data (the entities and links files read at every
/// start) into the current state, one per entity, session and link that differs, instead of every change ever
/// accepted. Replaying them over the seed gives the same state, which `Publisher` checks before it swaps the
/// journal. An entity the journal touched is kept whole, so a later edit of the seed file no longer reaches it
/// (as a journaled upsert would not either).
enum JournalCompaction {
    static func requests(seed: DataState, state: DataState) -> [DataRequest] {
        var out: [DataRequest] = []
        // Sessions first: each brings its `Vigil::Session` entity, with no parents or tags.
        var baseline = seed.entities
        for session in state.sessions.values.sorted(by: { $0.id < $1.id }) {
            let attrs = state.entities[session.entity]?.attributes ?? [:]
            var body = #"{"attrs":"# + CedarJSON.encode(.record(attrs))
            if let ms = session.expiresAtMs { body += #","expires_at_ms":"# + String(ms) }
            out.append(DataRequest(op: .upsertSession, params: [session.id], body: body + "}"))
            if session.revoked { out.append(DataRequest(op: .revokeSession, params: [session.id])) }
            baseline[session.entity] = Entity(uid: session.entity, attributes: attrs)
        }
        // Entities that differ from that baseline, then the ones gone from it.
        for uid in state.entities.keys.sorted() {
            guard let entity = state.entities[uid], baseline[uid] != entity else { continue }
            out.append(DataRequest(op: .upsertEntities, body: "[" + CedarJSON.encode(entity) + "]"))
        }
        for uid in baseline.keys.sorted() where state.entities[uid] == nil {
            out.append(DataRequest(op: .deleteEntity, params: [uid.type.description, uid.id]))
        }
        // Links: the seed's that were removed or replaced, then every other one in order (a link's policy number
        // follows its position, and the seed's come first).
        let current = Dictionary(state.grants.map { ($0.link.newID, $0) }, uniquingKeysWith: { a, _ in a })
        var kept: Set<String> = []
        for grant in seed.grants {
            if current[grant.link.newID] == grant {
                kept.insert(grant.link.newID)
            } else {
                out.append(DataRequest(op: .removeLink, params: [grant.link.newID]))
            }
        }
        for grant in state.grants where !kept.contains(grant.link.newID) {
            var body = #"{"templateId":"# + CedarJSON.encode(.string(grant.link.templateID))
                + #","newId":"# + CedarJSON.encode(.string(grant.link.newID)) + #","values":{"#
            body += grant.link.values.sorted(by: { $0.key.rawValue < $1.key.rawValue }).map { slot, uid in
                CedarJSON.encode(.string(slot.rawValue)) + ":" + CedarJSON.encode(uid)
            }.joined(separator: ",")
            body += "}"
            if let ms = grant.expiresAtMs { body += #","expires_at_ms":"# + String(ms) }
            out.append(DataRequest(op: .addLink, body: body + "}"))
        }
        return out
    }
}
