import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// vigild publishing policy edits: a valid edit reaches a running C host, an invalid one is refused with its
/// location while the live generation keeps serving; one daemon per data directory; SIGTERM is clean.
@Suite(.serialized)
struct PublishingTests {
    let editDocument = (principal: ("User", "frank"), action: "editDocument",
                        resource: ("Document", "architecture-overview"),
                        context: #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-frank"}}"#)

    @Test func validEditIsPublishedAndInvalidEditIsRefused() throws {
        let d = try DaemonProcess(label: "publish")
        try d.start()
        let host = try CHost(index: d.data, in: d.root)
        func frankEdits() throws -> String {
            try host.decide(principal: editDocument.principal, action: editDocument.action,
                            resource: editDocument.resource, context: editDocument.context)
        }
        // frank's risk (85) makes him read-only.
        #expect(try frankEdits() == "deny\trisky-users-read-only")
        let before = try d.generation()

        // A valid edit: the threshold moves to 90.
        let file = d.policies.appendingPathComponent("context.cedar")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "principal.risk >= 80", with: "principal.risk >= 90")
            .write(to: file, atomically: true, encoding: .utf8)
        _ = try d.waitForStatus { ($0["generation"] as? Int ?? 0) > before }
        #expect(try frankEdits().hasPrefix("allow\t"))
        let live = try d.generation()

        // An invalid edit: refused with its location; the live generation keeps serving.
        let broken = d.policies.appendingPathComponent("zz-broken.cedar")
        try "permit (principal, action resource);\n".write(to: broken, atomically: true, encoding: .utf8)
        let status = try d.waitForStatus { !(($0["policyErrors"] as? [Any]) ?? []).isEmpty }
        let problem = try #require((status["policyErrors"] as? [[String: Any]])?.first)
        #expect((problem["file"] as? String)?.hasSuffix("zz-broken.cedar") == true)
        #expect(problem["line"] as? Int == 1)
        #expect(problem["column"] as? Int == 27)
        #expect(status["generation"] as? Int == live)
        #expect(try frankEdits().hasPrefix("allow\t"))
        let metrics = try d.http.get("/metrics").body
        #expect(metrics.contains("vigil_policy_errors 1\n"))
        #expect(d.logText.contains("zz-broken.cedar:1:27"))

        // Fixing it clears the errors.
        try FileManager.default.removeItem(at: broken)
        _ = try d.waitForStatus { (($0["policyErrors"] as? [Any]) ?? [1]).isEmpty }
        #expect(try d.http.get("/readyz").status == 200)
        #expect(d.stop() == 0)
    }

    @Test func oneDaemonPerDataDirectoryAndCleanShutdown() throws {
        let d = try DaemonProcess(label: "owner")
        try d.start()
        // A second daemon on the same data directory is refused.
        let second = Process()
        second.executableURL = Paths.products.appendingPathComponent("vigild")
        second.arguments = ["--data", d.data.path, "--policies", d.policies.path, "--listen",
                            "127.0.0.1:\(Paths.freePort())"]
        let err = Pipe()
        second.standardError = err
        second.standardOutput = Pipe()
        try second.run()
        second.waitUntilExit()
        #expect(second.terminationStatus == 2)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .contains("owned by another vigild"))

        // Deliberate permissions: the admin socket is the owner's only, the index readable by the group.
        var st = stat()
        #expect(stat(d.data.appendingPathComponent("admin.sock").path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(d.data.appendingPathComponent("data.mdb").path, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(stat(d.data.appendingPathComponent("state").path, &st) == 0 && st.st_mode & 0o777 == 0o700)

        #expect(d.stop() == 0)
        #expect(d.logText.contains("vigild stopped"))
        // The lock went with it: a new daemon starts on the same directory.
        try d.start()
        #expect(d.stop() == 0)
    }
}
