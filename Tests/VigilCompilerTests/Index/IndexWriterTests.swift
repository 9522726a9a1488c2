import CLMDB
import Foundation
import Testing
import VigilData
import VigilPolicy
@testable import VigilCompiler

@Suite struct IndexWriterTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ix-\(UUID().uuidString)").path
    }

    static func compiled(_ text: String = "permit(principal, action, resource);") throws -> CompiledIndex {
        let file = SourceFile(name: "p.cedar", text: text)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        return try Compiler(policies: set).compile()
    }

    /// The header as a fresh read-only environment sees it.
    private func header(_ dir: String) throws -> [UInt8] {
        try #require(try stored(dir, "meta", Array("header".utf8)))
    }

    /// The value under `key` in database `db`, as a fresh environment sees it (`replace`, when given, is stored
    /// there first, in a write transaction of that environment: the writer must be closed then).
    private func stored(_ dir: String, _ db: String, _ key: [UInt8], replace: [UInt8]? = nil) throws -> [UInt8]? {
        var env: OpaquePointer?
        try #require(mdb_env_create(&env) == MDB_SUCCESS)
        defer { mdb_env_close(env) }
        _ = mdb_env_set_maxdbs(env, 16)
        let readOnly = replace == nil ? UInt32(MDB_RDONLY) : 0
        try #require(mdb_env_open(env, dir, readOnly, 0o640) == MDB_SUCCESS)
        var txn: OpaquePointer?
        try #require(mdb_txn_begin(env, nil, readOnly, &txn) == MDB_SUCCESS)
        var dbi: MDB_dbi = 0
        try #require(mdb_dbi_open(txn, db, key.count == 4 && db != "meta" ? UInt32(MDB_INTEGERKEY) : 0, &dbi)
            == MDB_SUCCESS)
        var k = key, value = MDB_val()
        var rc = k.withUnsafeMutableBufferPointer { kb in
            var mk = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(kb.baseAddress))
            guard var new = replace else { return mdb_get(txn, dbi, &mk, &value) }
            return new.withUnsafeMutableBufferPointer { vb in
                var mv = MDB_val(mv_size: vb.count, mv_data: UnsafeMutableRawPointer(vb.baseAddress))
                return mdb_put(txn, dbi, &mk, &mv, 0)
            }
        }
        if replace != nil {
            try #require(rc == MDB_SUCCESS)
            rc = mdb_txn_commit(txn)
            try #require(rc == MDB_SUCCESS)
            return replace
        }
        defer { mdb_txn_abort(txn) }
        if rc == MDB_NOTFOUND { return nil }
        try #require(rc == MDB_SUCCESS)
        return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }

    /// Format 2 keeps an entity's record beside its eid under its uid key (one lookup per request entity), and
    /// `entities` leads from the eid back to that key; incremental changes keep both so.
    @Test func entitiesAreStoredUnderTheirUIDWithTheirNumber() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var writer = try IndexWriter(directory: dir, mapSize: 64 << 20)
        try writer.publish(Self.compiled(#"permit(principal == User::"alice", action, resource);"#))
        try writer.apply([.upsertEntity(Entity(uid: EntityUID(type: Name(qualified: "User"), id: "bob"),
                                               attributes: ["age": .long(7)]))])
        writer.close()
        let user = try #require(try stored(dir, "names", Array("User".utf8)))
        var eids: [UInt32] = []
        for id in ["alice", "bob"] {
            let key = user + Array(id.utf8)
            let value = try #require(try stored(dir, "uids", key))
            let record = try #require(RecordReader.entity(Array(value.dropFirst(4))))
            #expect(record.type == u32(user, 0) && record.id == Array(id.utf8))
            #expect(try stored(dir, "entities", Array(value.prefix(4))) == key)
            eids.append(u32(value, 0))
        }
        #expect(Set(eids).count == 2)

        // An index of format 1 takes no incremental change; a publish rewrites it and continues its generations.
        var h = try header(dir)
        h[8] = 1
        _ = try stored(dir, "meta", Array("header".utf8), replace: h)
        writer = try IndexWriter(directory: dir, mapSize: 64 << 20)
        #expect(throws: IndexWriterError.notPublished(path: dir)) { try writer.apply([.deleteSession(id: "x")]) }
        #expect(try writer.publish(Self.compiled()) == 3)
        #expect(u32(try header(dir), 8) == HeaderRecord.version)
    }

    @Test func publishingBumpsTheGeneration() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try IndexWriter(directory: dir, mapSize: 64 << 20)
        #expect(try writer.publish(Self.compiled(), publishedMs: 1000) == 1)
        var h = try header(dir)
        #expect(h.count == 64 && i64(h, 16) == 1 && i64(h, 24) == 1000 && u32(h, 36) == 1)
        #expect(try writer.publish(Self.compiled("forbid(principal, action, resource);permit(principal, action, "
                                                 + "resource);"), publishedMs: 2000) == 2)
        h = try header(dir)
        #expect(i64(h, 16) == 2 && i64(h, 24) == 2000 && u32(h, 36) == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/data.mdb")[.posixPermissions] as? Int
        #expect(mode == 0o640)
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(dirMode == 0o750)
    }

    @Test func aSecondWriterIsRefused() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try IndexWriter(directory: dir, mapSize: 64 << 20)
        #expect(throws: IndexWriterError.locked(path: dir)) { try IndexWriter(directory: dir, mapSize: 64 << 20) }
        first.close()
        #expect(throws: IndexWriterError.closed(path: dir)) { try first.publish(Self.compiled()) }
        // Once the first writer is closed, the lock is free again.
        let second = try IndexWriter(directory: dir, mapSize: 64 << 20)
        #expect(try second.publish(Self.compiled()) == 1)
    }
}
