import CLMDB
import Foundation
import Testing
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
        var env: OpaquePointer?
        try #require(mdb_env_create(&env) == MDB_SUCCESS)
        defer { mdb_env_close(env) }
        _ = mdb_env_set_maxdbs(env, 16)
        try #require(mdb_env_open(env, dir, UInt32(MDB_RDONLY), 0o640) == MDB_SUCCESS)
        var txn: OpaquePointer?
        try #require(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) == MDB_SUCCESS)
        defer { mdb_txn_abort(txn) }
        var dbi: MDB_dbi = 0
        try #require(mdb_dbi_open(txn, "meta", 0, &dbi) == MDB_SUCCESS)
        var key = Array("header".utf8)
        var value = MDB_val()
        let rc = key.withUnsafeMutableBufferPointer { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(k.baseAddress))
            return mdb_get(txn, dbi, &mk, &value)
        }
        try #require(rc == MDB_SUCCESS)
        return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
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
