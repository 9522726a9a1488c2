import CLMDB
import Foundation
import Testing

/// Proves the system library target links Debian's liblmdb and that a write is visible to a later reader:
/// the minimum the index (next issue) depends on.
@Suite struct CLMDBSmokeTests {
    /// A fresh, empty directory for one environment, removed by the caller.
    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-clmdb-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func versionIsZeroNine() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        _ = mdb_version(&major, &minor, &patch)
        #expect(major == 0 && minor == 9)
    }

    @Test func writeThenReadBack() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        var env: OpaquePointer?
        try #require(mdb_env_create(&env) == MDB_SUCCESS)
        defer { mdb_env_close(env) }
        try #require(mdb_env_set_mapsize(env, 16 << 20) == MDB_SUCCESS)
        try #require(mdb_env_open(env, dir.path, 0, 0o644) == MDB_SUCCESS)

        let key = Array("policy:42".utf8), value = Array("permit(principal, action, resource);".utf8)

        // Write in one transaction. `#require` stops the test before a failed handle is used.
        var txn: OpaquePointer?
        try #require(mdb_txn_begin(env, nil, 0, &txn) == MDB_SUCCESS)
        var dbi: MDB_dbi = 0
        try #require(mdb_dbi_open(txn, nil, 0, &dbi) == MDB_SUCCESS)
        var putStatus: Int32 = -1
        key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in
                var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var mv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                putStatus = mdb_put(txn, dbi, &mk, &mv, 0)
            }
        }
        guard putStatus == MDB_SUCCESS else {
            mdb_txn_abort(txn)
            Issue.record("mdb_put failed: \(putStatus)")
            return
        }
        try #require(mdb_txn_commit(txn) == MDB_SUCCESS)

        // Read it back in a read-only transaction; the value points into the map until the txn ends.
        var readTxn: OpaquePointer?
        try #require(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &readTxn) == MDB_SUCCESS)
        defer { mdb_txn_abort(readTxn) }
        var found = MDB_val()
        var getStatus: Int32 = -1
        key.withUnsafeBufferPointer { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            getStatus = mdb_get(readTxn, dbi, &mk, &found)
        }
        #expect(getStatus == MDB_SUCCESS)
        let read = found.mv_data.map { Array(UnsafeRawBufferPointer(start: $0, count: found.mv_size)) } ?? []
        #expect(read == value)

        // A key never written is reported as missing, not as an error.
        var missing = Array("policy:43".utf8)
        var absent = MDB_val()
        let missingStatus = missing.withUnsafeMutableBufferPointer { k in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(k.baseAddress))
            return mdb_get(readTxn, dbi, &mk, &absent)
        }
        #expect(missingStatus == MDB_NOTFOUND)
    }
}
