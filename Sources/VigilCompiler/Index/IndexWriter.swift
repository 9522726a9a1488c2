import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// The one writer of an index directory: creates the LMDB environment (map sized once, up front) and publishes
/// compiled policy sets, each in one durable write transaction that bumps the generation.
///
/// Holds an exclusive `flock` on `DIR/writer.lock` for its lifetime, so a second writer (in this or another
/// process) is refused. Readers are never blocked.
public final class IndexWriter: @unchecked Sendable {
    // @unchecked: the environment handle is thread-safe for transactions, and each publish begins and commits its
    // write transaction within one call on one thread; LMDB serialises writers itself.

    /// The default map size: 4 GiB, sparse on disk, so readers never see the map resized.
    public static let defaultMapSize = 4 << 30

    public let directory: String
    private var env: OpaquePointer?
    private var lockFD: Int32

    /// Opens (creating if needed) the index in `directory` for writing.
    /// - Parameters:
    ///   - directory: created with mode 0750 if missing; data files get mode 0640.
    ///   - mapSize: the LMDB map size in bytes.
    /// - Throws: `IndexWriterError.locked` when another writer holds the lock; `.directory` or `.lmdb` otherwise.
    public init(directory: String, mapSize: Int = IndexWriter.defaultMapSize) throws(IndexWriterError) {
        self.directory = directory
        if mkdir(directory, 0o750) != 0 && errno != EEXIST { throw .directory(path: directory, errno: errno) }
        let fd = open(directory + "/writer.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .directory(path: directory, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            Glibc.close(fd)
            if e == EWOULDBLOCK { throw .locked(path: directory) }
            throw .directory(path: directory, errno: e)
        }
        var handle: OpaquePointer?
        var rc = mdb_env_create(&handle)
        guard rc == MDB_SUCCESS, let handle else {
            Glibc.close(fd)
            throw .lmdb(operation: "mdb_env_create", code: rc)
        }
        rc = mdb_env_set_mapsize(handle, mapSize)
        if rc == MDB_SUCCESS { rc = mdb_env_set_maxdbs(handle, 16) }
        // Durable commits: no MDB_NOSYNC, MDB_NOMETASYNC or MDB_WRITEMAP.
        if rc == MDB_SUCCESS { rc = mdb_env_open(handle, directory, 0, 0o640) }
        guard rc == MDB_SUCCESS else {
            mdb_env_close(handle)
            Glibc.close(fd)
            throw .lmdb(operation: "mdb_env_open", code: rc)
        }
        self.env = handle
        self.lockFD = fd
    }

    deinit { close() }

    /// Closes the environment and releases the writer lock now rather than when the writer is released, so another
    /// writer may open the index. Later publishes throw `.closed`. Closing twice does nothing.
    public func close() {
        if let env { mdb_env_close(env) }
        if lockFD >= 0 { Glibc.close(lockFD) }
        env = nil
        lockFD = -1
    }

    /// Frees the reader slots of processes that died without closing the index (`mdb_reader_check`), so a crashed
    /// host does not pin old pages and grow the file.
    /// - Returns: how many slots were cleared.
    /// - Throws: `.closed` after `close()`, `.lmdb` when LMDB refuses.
    @discardableResult
    public func clearStaleReaders() throws(IndexWriterError) -> Int {
        guard let env else { throw .closed(path: directory) }
        var dead: Int32 = 0
        let rc = mdb_reader_check(env, &dead)
        guard rc == MDB_SUCCESS else { throw .lmdb(operation: "mdb_reader_check", code: rc) }
        return Int(dead)
    }

    /// Replaces the whole index with `compiled` in one write transaction: every database is cleared and rewritten
    /// and the header gets the next generation and the commit time. Readers see the old contents or the new,
    /// never a mix.
    /// - Parameter publishedMs: the commit time to record (Unix ms); the system clock when `nil`.
    /// - Returns: the generation written.
    /// - Throws: `IndexWriterError` when LMDB refuses; nothing is changed then.
    @discardableResult
    public func publish(_ compiled: CompiledIndex, publishedMs: Int64? = nil) throws(IndexWriterError) -> UInt64 {
        try write(publishedMs: publishedMs) { (txn, dbs) throws(IndexWriterError) in
            let meta = try txn.open("meta", integerKeys: false)
            let previous = try txn.get(meta, Array("header".utf8)).flatMap(HeaderRecord.generation(of:)) ?? 0
            try dbs.clear(txn)
            try write(compiled, dbs, txn)
            return HeaderRecord(
                generation: previous &+ 1, publishedMs: 0,
                entityCount: UInt32(clamping: compiled.entities.count),
                policyCount: UInt32(clamping: compiled.policies.count),
                nameCount: UInt32(clamping: compiled.names.count))
        }
    }

    /// Runs `body` in one write transaction and commits it with the header `body` returns, stamped with the
    /// commit time. Aborts (changing nothing) when `body` throws.
    /// - Returns: the generation written.
    func write(
        publishedMs: Int64?, _ body: (WriteTransaction, Databases) throws(IndexWriterError) -> HeaderRecord
    ) throws(IndexWriterError) -> UInt64 {
        guard let env else { throw .closed(path: directory) }
        let txn = try WriteTransaction(env: env)
        var header: HeaderRecord
        do {
            let meta = try txn.open("meta", integerKeys: false)
            header = try body(txn, try Databases(txn))
            header.publishedMs = publishedMs ?? Self.nowMs()
            try txn.put(meta, Array("header".utf8), header.bytes(), "meta")
        } catch {
            txn.abort()
            throw error
        }
        // A failed commit frees the transaction itself: no abort after it.
        try txn.commit()
        return header.generation
    }

    private func write(_ c: CompiledIndex, _ dbs: Databases, _ txn: WriteTransaction) throws(IndexWriterError) {
        // Keys go in ascending order so every put can append (MDB_APPEND) to a freshly emptied database.
        // LMDB keys cannot be empty: the empty name ("" as a record key or tag) is stored under the one byte 0xFF,
        // which no UTF-8 text contains, so it cannot collide with a name.
        let byName = c.names.enumerated().map { ($0.offset, $0.element.isEmpty ? [0xFF] : $0.element) }
            .sorted { $0.1.lexicographicallyPrecedes($1.1) }
        for (id, key) in byName { try txn.put(dbs.names, key, littleEndianBytes(UInt32(id)), "names", append: true) }
        for (id, name) in c.names.enumerated() { try txn.put(dbs.nameText, UInt32(id), name, "name_text") }
        // An entity's record follows its eid under its uid key (one lookup per request entity); `entities` leads
        // from an eid back to that key.
        let byUID = c.uidKeys.enumerated().sorted { $0.element.lexicographicallyPrecedes($1.element) }
        for (eid, key) in byUID {
            try txn.put(dbs.uids, key, littleEndianBytes(UInt32(eid)) + c.entities[eid], "uids", append: true)
        }
        for (eid, key) in c.uidKeys.enumerated() { try txn.put(dbs.entities, UInt32(eid), key, "entities") }
        for (n, record) in c.policies.enumerated() { try txn.put(dbs.policies, UInt32(n), record, "policies") }
        for (action, list) in c.byAction {
            try txn.put(dbs.byAction, action, list.flatMap(littleEndianBytes), "by_action")
        }
        for (action, descriptor) in c.contextTypes {
            try txn.put(dbs.contextTypes, action, descriptor, "ctx_types")
        }
        for (id, record) in c.sessions { try txn.put(dbs.sessions, id, record, "sessions", append: true) }
    }

    private static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1000 &+ Int64(ts.tv_nsec / 1_000_000)
    }
}

/// The named databases of the index, opened (and created) in one write transaction.
struct Databases {
    let names, nameText, uids, entities, policies, byAction, sessions, contextTypes: MDB_dbi

    init(_ txn: WriteTransaction) throws(IndexWriterError) {
        names = try txn.open("names", integerKeys: false)
        nameText = try txn.open("name_text", integerKeys: true)
        uids = try txn.open("uids", integerKeys: false)
        entities = try txn.open("entities", integerKeys: true)
        policies = try txn.open("policies", integerKeys: true)
        byAction = try txn.open("by_action", integerKeys: true)
        sessions = try txn.open("sessions", integerKeys: false)
        contextTypes = try txn.open("ctx_types", integerKeys: true)
    }

    func clear(_ txn: WriteTransaction) throws(IndexWriterError) {
        for dbi in [names, nameText, uids, entities, policies, byAction, sessions, contextTypes] {
            try txn.empty(dbi)
        }
    }
}
