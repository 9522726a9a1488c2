import VigilData
import VigilPolicy

extension IndexWriter {
    /// Applies incremental changes to the published index in one durable write transaction that bumps the
    /// generation: readers see all of them or none.
    /// - Parameter publishedMs: the commit time to record (Unix ms); the system clock when `nil`.
    /// - Returns: the generation written.
    /// - Throws: `IndexWriterError`: `.notPublished` before the first publish (or over an index of an older format,
    ///   which a full publish rewrites), `.unknown` for an entity or session the index lacks, `.hierarchyChange`
    ///   for a parent change that needs a full publish; nothing is changed then.
    @discardableResult
    public func apply(_ changes: [IndexChange], publishedMs: Int64? = nil) throws(IndexWriterError) -> UInt64 {
        try write(publishedMs: publishedMs) { (txn, dbs) throws(IndexWriterError) in
            let meta = try txn.open("meta", integerKeys: false)
            guard let header = try txn.get(meta, Array("header".utf8)), HeaderRecord.isCurrent(header),
                  let generation = HeaderRecord.generation(of: header),
                  let entityCount = RecordReader.u32(header, 32), let policyCount = RecordReader.u32(header, 36),
                  let nameCount = RecordReader.u32(header, 40)
            else { throw .notPublished(path: directory) }
            var interner = IndexInterner(txn: txn, dbs: dbs, nameCount: nameCount, entityCount: entityCount)
            var policies = policyCount
            for change in changes {
                switch change {
                case .addLink(let template, let file, let link, let expiresAtMs):
                    try LinkChanges.add(template, file, link, expiresAtMs, number: policies, &interner)
                    policies += 1
                case .removeLink(let id):
                    try LinkChanges.remove(id, txn, dbs)
                default:
                    try apply(change, &interner)
                }
            }
            if let failure = interner.failure { throw failure }
            return HeaderRecord(generation: generation &+ 1, publishedMs: 0, entityCount: interner.entityCount,
                                policyCount: policies, nameCount: interner.nameCount)
        }
    }

    private func apply(_ change: IndexChange, _ ix: inout IndexInterner) throws(IndexWriterError) {
        let (txn, dbs) = (ix.txn, ix.dbs)
        switch change {
        case .upsertEntity(let e):
            let eid = ix.eid(e.uid)
            var ancestors = Set<UInt32>()
            for p in e.parents {
                let parent = ix.eid(p)
                ancestors.insert(parent)
                ancestors.formUnion(try entity(parent, ix).ancestors)
            }
            let old = try entity(eid, ix)
            if ancestors.contains(eid) { throw .hierarchyChange(entity: e.uid.description) }
            let sorted = ancestors.sorted()
            if sorted != old.ancestors, eid < ix.firstNewEntity, try hasDescendants(eid, txn, dbs) {
                throw .hierarchyChange(entity: e.uid.description)
            }
            let attributes: [UInt8], tags: [UInt8]?
            do {
                attributes = try ValueEncoder.encode(.record(e.attributes), &ix)
                tags = e.tags.isEmpty ? nil : try ValueEncoder.encode(.record(e.tags), &ix)
            } catch {
                throw .tooDeep(entity: e.uid.description)
            }
            let record = EntityRecord(type: old.type, flags: old.flags | EntityRecord.present, id: old.id,
                                      ancestors: sorted, attributes: attributes, tags: tags)
            try dbs.putEntity(txn, eid, record)
        case .deleteEntity(let uid):
            guard ix.existing(uid) != nil || ix.failure != nil else { return }
            let eid = ix.eid(uid)
            let old = try entity(eid, ix)
            if !old.ancestors.isEmpty, try hasDescendants(eid, txn, dbs) {
                throw .hierarchyChange(entity: uid.description)
            }
            let record = EntityRecord(type: old.type, flags: old.flags & ~EntityRecord.present, id: old.id,
                                      ancestors: [], attributes: nil, tags: nil)
            try dbs.putEntity(txn, eid, record)
        case .setAttribute(let uid, let name, let value):
            guard ix.existing(uid) != nil || ix.failure != nil else { throw .unknown(what: "entity `\(uid)`") }
            let eid = ix.eid(uid)
            var record = try entity(eid, ix)
            guard let encoded = record.attributes, var fields = RecordReader.recordFields(encoded) else {
                throw .unknown(what: "entity `\(uid)`")
            }
            let id = ix.name(name)
            let bytes: [UInt8]
            do { bytes = try ValueEncoder.encode(value, &ix) } catch { throw .tooDeep(entity: uid.description) }
            fields.removeAll { $0.0 == id }
            fields.append((id, bytes))
            var w = ByteWriter()
            ValueEncoder.writeRecord(fields, into: &w)
            record.attributes = w.bytes
            try dbs.putEntity(txn, eid, record)
        case .upsertSession(let s):
            let record = SessionRecord(eid: ix.eid(s.entity), flags: s.revoked ? SessionRecord.revoked : 0,
                                       expiresMs: s.expiresAtMs ?? Int64.max)
            try txn.put(dbs.sessions, Array(s.id.utf8), record.bytes(), "sessions")
        case .revokeSession(let id):
            guard let bytes = try txn.get(dbs.sessions, Array(id.utf8)), bytes.count == SessionRecord.size,
                  let flags = RecordReader.u32(bytes, 4)
            else { throw .unknown(what: "session `\(id)`") }
            var revoked = bytes
            withUnsafeBytes(of: (flags | SessionRecord.revoked).littleEndian) { raw in
                for (i, b) in raw.enumerated() { revoked[4 + i] = b }
            }
            try txn.put(dbs.sessions, Array(id.utf8), revoked, "sessions")
        case .deleteSession(let id):
            guard try txn.delete(dbs.sessions, Array(id.utf8)) else { throw .unknown(what: "session `\(id)`") }
        case .addLink, .removeLink:
            // INVARIANT: `apply(_:publishedMs:)` handles links itself, since they change the policy count.
            break
        }
    }

    /// The record of `eid`, which the interner made sure exists.
    private func entity(_ eid: UInt32, _ ix: IndexInterner) throws(IndexWriterError) -> EntityRecord {
        if let failure = ix.failure { throw failure }
        guard let bytes = try ix.dbs.entityRecord(ix.txn, eid), let record = RecordReader.entity(bytes) else {
            throw .corrupt(what: "entity record")
        }
        return record
    }

    /// Whether some entity has `eid` among its ancestors: a scan, needed only when a hierarchy changes.
    func hasDescendants(_ eid: UInt32, _ txn: WriteTransaction, _ dbs: Databases) throws(IndexWriterError)
        -> Bool
    {
        try !descendants(of: eid, txn, dbs, first: true).isEmpty
    }
}

/// Every entity with `eid` among its ancestors (or only the first found): a scan of all entity records, reading
/// each one's sorted ancestor list in place.
func descendants(of eid: UInt32, _ txn: WriteTransaction, _ dbs: Databases, first: Bool = false)
    throws(IndexWriterError) -> [UInt32]
{
    var found: [UInt32] = []
    try dbs.forEachEntity(txn) { other, value in
        guard value.count >= EntityRecord.headerSize else { return true }
        let off = Int(value.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        let count = Int(value.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        guard off >= 0, count >= 0, off + 4 * count <= value.count else { return true }
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            let a = value.loadUnaligned(fromByteOffset: off + 4 * mid, as: UInt32.self)
            if a == eid {
                found.append(other)
                break
            }
            if a < eid { lo = mid + 1 } else { hi = mid }
        }
        return !(first && !found.isEmpty)
    }
    return found
}
