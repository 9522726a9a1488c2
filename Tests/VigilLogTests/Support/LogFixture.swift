import CVigil
import Foundation
import TestSupport

/// A small index compiled by VigilCompiler (through the built `vigil compile`, as this test target links
/// VigilLog and CVigil only) with a `rings` directory, so handles opened on it log to rings there.
final class LogFixture {
    let root: URL
    var index: String { root.appendingPathComponent("index").path }
    var rings: String { root.appendingPathComponent("index/rings").path }
    var audit: String { root.appendingPathComponent("audit").path }

    static let policies = """
        permit(principal == User::"alice", action == Action::"view", resource);
        @id("no-bob") forbid(principal == User::"bob", action, resource);
        permit(principal, action == Action::"view", resource == Doc::"public");
        """
    static let entities = """
        [{"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []},
         {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": []},
         {"uid": {"type": "Doc", "id": "d1"}, "attrs": {}, "parents": []},
         {"uid": {"type": "Doc", "id": "public"}, "attrs": {}, "parents": []}]
        """

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let policyFile = root.appendingPathComponent("p.cedar")
        let entityFile = root.appendingPathComponent("entities.json")
        try Self.policies.write(to: policyFile, atomically: true, encoding: .utf8)
        try Self.entities.write(to: entityFile, atomically: true, encoding: .utf8)
        let (status, output) = try Self.vigil(["compile", "--policies", policyFile.path, "--entities",
                                               entityFile.path, "--out", index])
        guard status == 0 else { throw FixtureError(message: "vigil compile failed: \(output)") }
        try FileManager.default.createDirectory(atPath: rings, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Opens the index (logging to `rings`).
    func open(flags: UInt32 = 0) throws -> OpaquePointer {
        var ix: OpaquePointer?
        let rc = vigil_index_open(index, flags, &ix)
        guard rc == VIGIL_OK, let ix else { throw FixtureError(message: "vigil_index_open: \(rc)") }
        return ix
    }

    /// The ring files now in `rings`.
    func ringFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: rings).filter { $0.hasSuffix(".ring") }.sorted()
    }

    /// The built `vigil` executable, next to the test bundle in the build folder.
    static let executable = TestProcess.products.appendingPathComponent("vigil")

    /// Runs `vigil` with `arguments`: its exit status and its output.
    @discardableResult
    static func vigil(_ arguments: [String]) throws -> (Int32, String) {
        try TestProcess.run(executable.path, arguments)
    }
}

/// Decides (principal, action, resource) on `ix`, ids of types User, Action and Doc.
@discardableResult
func decide(_ ix: OpaquePointer, _ principal: String, _ action: String, _ resource: String,
            session: String? = nil) -> vigil_result {
    var result = vigil_result()
    let strings = ["User", principal, "Action", action, "Doc", resource, session ?? ""].map { Array($0.utf8) }
    strings[0].withUnsafeBufferPointer { pt in strings[1].withUnsafeBufferPointer { pi in
    strings[2].withUnsafeBufferPointer { at in strings[3].withUnsafeBufferPointer { ai in
    strings[4].withUnsafeBufferPointer { rt in strings[5].withUnsafeBufferPointer { ri in
    strings[6].withUnsafeBufferPointer { si in
        func c(_ b: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar>? {
            b.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        }
        var req = vigil_request()
        (req.principal_type, req.principal_type_len) = (c(pt), pt.count)
        (req.principal_id, req.principal_id_len) = (c(pi), pi.count)
        (req.action_type, req.action_type_len) = (c(at), at.count)
        (req.action_id, req.action_id_len) = (c(ai), ai.count)
        (req.resource_type, req.resource_type_len) = (c(rt), rt.count)
        (req.resource_id, req.resource_id_len) = (c(ri), ri.count)
        if session != nil { (req.session_id, req.session_id_len) = (c(si), si.count) }
        _ = vigil_decide(ix, &req, &result)
    } } } } } } }
    return result
}
