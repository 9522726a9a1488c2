import VigilPolicy

/// Interns names and entities in an open write transaction of a published index: known ones keep their ids, new
/// ones get the next id (`vh_name_count`, `vh_entity_count`) and their `names`/`name_text` or `uids`/`entities`
/// entries, so incremental changes agree with what the compiler wrote.
struct IndexInterner: Interning {
    let txn: WriteTransaction
    let dbs: Databases
    private(set) var nameCount: UInt32
    private(set) var entityCount: UInt32
    /// Entities numbered from here on were added by this transaction, so nothing in the index descends from them.
    let firstNewEntity: UInt32
    /// The first LMDB failure; lookups cannot throw through `Interning`, so `apply` checks this afterwards.
    private(set) var failure: IndexWriterError?

    init(txn: WriteTransaction, dbs: Databases, nameCount: UInt32, entityCount: UInt32) {
        self.txn = txn
        self.dbs = dbs
        self.nameCount = nameCount
        self.entityCount = entityCount
        self.firstNewEntity = entityCount
    }

    mutating func name(_ name: String) -> UInt32 {
        guard failure == nil else { return 0 }
        do { return try lookUpOrAdd(name: name) } catch {
            failure = error
            return 0
        }
    }

    mutating func eid(_ uid: EntityUID) -> UInt32 {
        guard failure == nil else { return 0 }
        do { return try lookUpOrAdd(uid) } catch {
            failure = error
            return 0
        }
    }

    /// The eid of `uid` when the index has it; adds nothing. `nil` also after a failure (see `failure`).
    mutating func existing(_ uid: EntityUID) -> UInt32? {
        guard failure == nil else { return nil }
        do {
            let typeBytes = Array(uid.type.description.utf8)
            guard let t = try txn.get(dbs.names, typeBytes), let type = RecordReader.u32(t, 0) else { return nil }
            return try dbs.eid(txn, key: Databases.uidKey(type: type, id: Array(uid.id.utf8)))
        } catch {
            failure = error
            return nil
        }
    }

    private mutating func lookUpOrAdd(name: String) throws(IndexWriterError) -> UInt32 {
        let bytes = Array(name.utf8)
        let key = bytes.isEmpty ? [0xFF] : bytes  // as IndexWriter.publish stores the empty name
        if let v = try txn.get(dbs.names, key) {
            guard let id = RecordReader.u32(v, 0) else { throw .corrupt(what: "name id") }
            return id
        }
        let id = nameCount
        try txn.put(dbs.names, key, littleEndianBytes(id), "names")
        try txn.put(dbs.nameText, id, bytes, "name_text")
        nameCount += 1
        return id
    }

    private mutating func lookUpOrAdd(_ uid: EntityUID) throws(IndexWriterError) -> UInt32 {
        let type = try lookUpOrAdd(name: uid.type.description)
        let id = Array(uid.id.utf8)
        if let eid = try dbs.eid(txn, key: Databases.uidKey(type: type, id: id)) { return eid }
        let eid = entityCount
        // Mentioned only, until an upsert makes it present (IDX-E001).
        let record = EntityRecord(type: type, flags: uid.isAction ? EntityRecord.action : 0, id: id, ancestors: [],
                                  attributes: nil, tags: nil)
        try dbs.putEntity(txn, eid, record)
        entityCount += 1
        return eid
    }
}
