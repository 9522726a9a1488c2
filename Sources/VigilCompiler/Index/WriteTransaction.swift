import CLMDB

/// One LMDB write transaction with typed puts; errors become `IndexWriterError`.
struct WriteTransaction {
    let txn: OpaquePointer

    init(env: OpaquePointer) throws(IndexWriterError) {
        var t: OpaquePointer?
        let rc = mdb_txn_begin(env, nil, 0, &t)
        guard rc == MDB_SUCCESS, let t else { throw .lmdb(operation: "mdb_txn_begin", code: rc) }
        txn = t
    }

    /// Opens a named database, creating it; integer-keyed ones use `MDB_INTEGERKEY` (native `unsigned int`).
    func open(_ name: String, integerKeys: Bool) throws(IndexWriterError) -> MDB_dbi {
        var dbi: MDB_dbi = 0
        let flags = UInt32(MDB_CREATE) | (integerKeys ? UInt32(MDB_INTEGERKEY) : 0)
        let rc = mdb_dbi_open(txn, name, flags, &dbi)
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_dbi_open(\(name))", code: rc) }
        return dbi
    }

    /// Deletes every entry of a database, keeping the database.
    func empty(_ dbi: MDB_dbi) throws(IndexWriterError) {
        let rc = mdb_drop(txn, dbi, 0)
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_drop", code: rc) }
    }

    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws(IndexWriterError) -> [UInt8]? {
        var found = MDB_val()
        let rc = key.withUnsafeBufferPointer { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_get(txn, dbi, &mk, &found)
        }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_get", code: rc) }
        return found.mv_data.map { Array(UnsafeRawBufferPointer(start: $0, count: found.mv_size)) } ?? []
    }

    /// The value stored under an integer key, or `nil`.
    func get(_ dbi: MDB_dbi, _ key: UInt32) throws(IndexWriterError) -> [UInt8]? {
        var k = key
        var found = MDB_val()
        let rc = withUnsafeMutableBytes(of: &k) { kb in
            var mk = MDB_val(mv_size: kb.count, mv_data: kb.baseAddress)
            return mdb_get(txn, dbi, &mk, &found)
        }
        if rc == MDB_NOTFOUND { return nil }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_get", code: rc) }
        return found.mv_data.map { Array(UnsafeRawBufferPointer(start: $0, count: found.mv_size)) } ?? []
    }

    /// Deletes the entry under byte key `key`; `false` when there was none.
    func delete(_ dbi: MDB_dbi, _ key: [UInt8]) throws(IndexWriterError) -> Bool {
        let rc = key.withUnsafeBufferPointer { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(txn, dbi, &mk, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_del", code: rc) }
        return true
    }

    /// Deletes the entry under an integer key; `false` when there was none.
    func delete(_ dbi: MDB_dbi, _ key: UInt32) throws(IndexWriterError) -> Bool {
        var k = key
        let rc = withUnsafeMutableBytes(of: &k) { kb in
            var mk = MDB_val(mv_size: kb.count, mv_data: kb.baseAddress)
            return mdb_del(txn, dbi, &mk, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_del", code: rc) }
        return true
    }

    /// Calls `body` with every (key, value) of a database in key order, until it returns `false`.
    func forEachEntry(_ dbi: MDB_dbi, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool)
        throws(IndexWriterError)
    {
        var cursor: OpaquePointer?
        var rc = mdb_cursor_open(txn, dbi, &cursor)
        guard rc == MDB_SUCCESS, let cursor else { throw .lmdb(operation: "mdb_cursor_open", code: rc) }
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val(), v = MDB_val()
        rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
        while rc == MDB_SUCCESS {
            let key = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if !body(key, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        guard rc == MDB_NOTFOUND else { throw .lmdb(operation: "mdb_cursor_get", code: rc) }
    }

    /// Calls `body` with every (integer key, value) of a database in key order, until it returns `false`.
    func forEach(_ dbi: MDB_dbi, _ body: (UInt32, UnsafeRawBufferPointer) -> Bool) throws(IndexWriterError) {
        var malformed = false
        try forEachEntry(dbi) { key, value in
            guard key.count == 4 else {
                malformed = true
                return false
            }
            return body(key.loadUnaligned(as: UInt32.self), value)
        }
        if malformed { throw .lmdb(operation: "mdb_cursor_get", code: MDB_CORRUPTED) }
    }

    /// Stores `value` under byte key `key`; `append` when keys arrive in ascending order (faster, and LMDB
    /// checks the order).
    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8], _ db: String, append: Bool = false)
        throws(IndexWriterError)
    {
        guard (1...511).contains(key.count) else { throw .keySize(database: db, length: key.count) }
        let rc = key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
                var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var mv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(txn, dbi, &mk, &mv, append ? UInt32(MDB_APPEND) : 0)
            }
        }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_put(\(db))", code: rc) }
    }

    /// Stores `value` under an integer key (`MDB_INTEGERKEY`: a native `unsigned int`).
    func put(_ dbi: MDB_dbi, _ key: UInt32, _ value: [UInt8], _ db: String) throws(IndexWriterError) {
        var k = key
        let rc = withUnsafeMutableBytes(of: &k) { kb in
            value.withUnsafeBufferPointer { v in
                var mk = MDB_val(mv_size: kb.count, mv_data: kb.baseAddress)
                var mv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(txn, dbi, &mk, &mv, 0)
            }
        }
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_put(\(db))", code: rc) }
    }

    func commit() throws(IndexWriterError) {
        let rc = mdb_txn_commit(txn)
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_txn_commit", code: rc) }
    }

    func abort() { mdb_txn_abort(txn) }
}
