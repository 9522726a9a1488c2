/// Where entity records live (docs/INDEX_FORMAT.md, format 2): `uids` maps an entity's uid key (its type's name
/// id, then its id's bytes) to its eid followed by its record, so that a decision reads a request's principal or
/// resource in one lookup; `entities` maps an eid back to that key, for entities known only by number (an
/// ancestor, an attribute's value).
extension Databases {
    /// The `uids` key of the entity with this type name id and id.
    static func uidKey(type: UInt32, id: [UInt8]) -> [UInt8] { littleEndianBytes(type) + id }

    /// Stores entity `eid` with its record, new or replacing the one before, under the key its type and id make.
    func putEntity(_ txn: WriteTransaction, _ eid: UInt32, _ record: EntityRecord) throws(IndexWriterError) {
        let key = Self.uidKey(type: record.type, id: record.id)
        try txn.put(uids, key, littleEndianBytes(eid) + record.bytes(), "uids")
        try txn.put(entities, eid, key, "entities")
    }

    /// The eid stored under a uid key, or `nil` when the index has no such entity.
    func eid(_ txn: WriteTransaction, key: [UInt8]) throws(IndexWriterError) -> UInt32? {
        guard let value = try txn.get(uids, key) else { return nil }
        guard let eid = RecordReader.u32(value, 0) else { throw .corrupt(what: "entity number") }
        return eid
    }

    /// The record of entity `eid`, or `nil` when the index has none.
    /// - Throws: `.corrupt` when `entities` names a key that `uids` lacks or holds under another eid.
    func entityRecord(_ txn: WriteTransaction, _ eid: UInt32) throws(IndexWriterError) -> [UInt8]? {
        guard let key = try txn.get(entities, eid) else { return nil }
        guard let value = try txn.get(uids, key), RecordReader.u32(value, 0) == eid else {
            throw .corrupt(what: "uid key of entity \(eid)")
        }
        return Array(value[4...])
    }

    /// Calls `body` with every entity's eid and record, in uid key order, until it returns `false`.
    func forEachEntity(_ txn: WriteTransaction, _ body: (UInt32, UnsafeRawBufferPointer) -> Bool)
        throws(IndexWriterError)
    {
        var malformed = false
        try txn.forEachEntry(uids) { _, value in
            guard value.count >= 4 else {
                malformed = true
                return false
            }
            return body(value.loadUnaligned(as: UInt32.self), UnsafeRawBufferPointer(rebasing: value[4...]))
        }
        if malformed { throw .corrupt(what: "uids value") }
    }
}
