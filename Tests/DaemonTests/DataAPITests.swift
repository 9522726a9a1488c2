import Foundation
import Testing

/// The data API on the admin socket: each change is one durable generation that the next decision of a running
/// C host sees; bad input is refused with its location and changes nothing.
@Suite(.serialized)
struct DataAPITests {
    @Test func changesAreSeenByTheFirstDecisionAfterTheResponse() throws {
        let d = try DaemonProcess(label: "data")
        try d.start()
        let host = try CHost(index: d.data, in: d.root)
        let ctx = #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z"}"#
        func frankEdits() throws -> String {
            try host.decide(principal: ("User", "frank"), action: "editDocument",
                            resource: ("Document", "architecture-overview"),
                            context: #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-frank"}}"#)
        }
        #expect(try frankEdits() == "deny\trisky-users-read-only")
        var generation = try d.generation()

        // A principal's risk.
        var r = try d.admin.put("/v1/principals/User/frank/risk", #"{"risk": 10}"#)
        #expect(r.status == 200)
        #expect(r.json["generation"] as? Int == generation + 1)
        generation += 1
        #expect(try frankEdits().hasPrefix("allow\t"))

        // A session: created at AAL 1 the confidential postmortem needs a step-up; at AAL 2 it is allowed;
        // revoked, everything it carries is denied before any policy runs.
        r = try d.admin.put("/v1/sessions/s-42", #"{"attrs": {"aal": 1, "authTime": "2025-06-02T14:20:00Z", "methods": ["password"]}, "expires_in_s": 3600}"#)
        #expect(r.status == 200, "\(r.body)")
        #expect(r.json["generation"] as? Int == generation + 1)
        generation += 1
        func aliceReadsPostmortem() throws -> String {
            try host.decide(principal: ("User", "alice"), action: "viewDocument",
                            resource: ("Document", "incident-postmortem"), context: ctx, session: "s-42")
        }
        #expect(try aliceReadsPostmortem() == "step_up\tconfidential-needs-mfa")
        r = try d.admin.put("/v1/sessions/s-42", #"{"attrs": {"aal": 2, "authTime": "2025-06-02T14:25:00Z", "methods": ["password", "totp"]}, "expires_in_s": 3600}"#)
        #expect(r.status == 200)
        #expect(try aliceReadsPostmortem().hasPrefix("allow\t"))
        r = try d.admin.post("/v1/sessions/s-42/revoke", "")
        #expect(r.status == 200)
        #expect(try aliceReadsPostmortem() == "deny\t")

        // A grant (template link) and its removal.
        func bobReadsDesign() throws -> String {
            try host.decide(principal: ("User", "bob"), action: "viewDocument",
                            resource: ("Document", "incident-postmortem"), context: ctx)
        }
        let before = try bobReadsDesign()
        r = try d.admin.post("/v1/links", #"{"templateId": "folder-reader-grant", "newId": "bob-design", "values": {"?principal": {"type": "User", "id": "bob"}, "?resource": {"type": "Folder", "id": "engineering"}}}"#)
        #expect(r.status == 200, "\(r.body)")
        #expect(try bobReadsDesign() == "allow\tbob-design")
        r = try d.admin.delete("/v1/links/bob-design")
        #expect(r.status == 200)
        #expect(try bobReadsDesign() == before)
        // The same grant again, after its removal, and removed again.
        r = try d.admin.post("/v1/links", #"{"templateId": "folder-reader-grant", "newId": "bob-design", "values": {"?principal": {"type": "User", "id": "bob"}, "?resource": {"type": "Folder", "id": "engineering"}}}"#)
        #expect(r.status == 200, "\(r.body)")
        #expect(try bobReadsDesign() == "allow\tbob-design")
        #expect(try d.admin.delete("/v1/links/bob-design").status == 200)
        #expect(try bobReadsDesign() == before)
        // A grant with an expiry (docs/http-api.md): honoured until then, never after.
        let soon = Int(Date().timeIntervalSince1970 * 1000) + 1500
        r = try d.admin.post("/v1/links", #"{"templateId": "folder-reader-grant", "newId": "bob-brief", "values": {"?principal": {"type": "User", "id": "bob"}, "?resource": {"type": "Folder", "id": "engineering"}}, "expires_at_ms": \#(soon)}"#)
        #expect(r.status == 200, "\(r.body)")
        #expect(try bobReadsDesign() == "allow\tbob-brief")
        Thread.sleep(forTimeInterval: max(0, Double(soon) / 1000 - Date().timeIntervalSince1970) + 0.2)
        #expect(try bobReadsDesign() == before)
        // A misspelt field is still refused, with its path.
        r = try d.admin.post("/v1/links", #"{"templateId": "folder-reader-grant", "newId": "bob-x", "values": {"?principal": {"type": "User", "id": "bob"}, "?resource": {"type": "Folder", "id": "engineering"}}, "expires_at": 1}"#)
        #expect(r.status == 400, "\(r.body)")
        #expect(r.body.contains("expires_at"))
        #expect(d.stop() == 0)
    }

    @Test func vigilImportStreamsABulkImportAsOneGeneration() throws {
        let d = try DaemonProcess(label: "import")
        try d.start()
        let users = (0..<2000).map { i in
            #"{"uid": {"type": "User", "id": "bulk-\#(i)"}, "attrs": {"email": "b\#(i)@acme.example", "organization": {"type": "Organization", "id": "acme"}, "suspended": false, "risk": 5}, "parents": [{"type": "Group", "id": "engineering"}]}"#
        }
        let good = d.root.appendingPathComponent("bulk.json")
        try ("[" + users.joined(separator: ",\n") + "]").write(to: good, atomically: true, encoding: .utf8)
        let bad = d.root.appendingPathComponent("bad.json")
        try #"[{"uid": {"type": "User", "id": "x"}, "attrs": {}, "parents": []}]"#.write(to: bad, atomically: true, encoding: .utf8)
        func vigilImport(_ file: URL) throws -> (Int32, String) {
            try Paths.vigil(["import", "--socket", d.data.appendingPathComponent("admin.sock").path, file.path])
        }
        let generation = try d.generation()
        let imported = try vigilImport(good)
        #expect(imported.0 == 0)
        #expect(imported.1.contains("as generation \(generation + 1)"))
        #expect((try d.http.get("/v1/status").json["entities"] as? Int ?? 0) >= 2000)
        let refused = try vigilImport(bad)
        #expect(refused.0 == 1)
        #expect(refused.1.contains("[0].attrs: entity type `User` requires attribute `email`"))
        #expect(try d.generation() == generation + 1)
        #expect(d.stop() == 0)
    }

    @Test func badInputIsRefusedWithItsLocationAndChangesNothing() throws {
        let d = try DaemonProcess(label: "bad")
        try d.start()
        let generation = try d.generation()
        // Not JSON: the line and column.
        var r = try d.admin.post("/v1/entities", #"[{"uid": {"type": "User", "id": "zed"},"#)
        #expect(r.status == 400)
        #expect(((r.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("1:") == true)
        // Not what the schema says: the JSON path of each problem.
        r = try d.admin.post("/v1/entities", #"[{"uid": {"type": "User", "id": "zed"}, "attrs": {"bogus": 1}, "parents": []}]"#)
        #expect(r.status == 400)
        let message = (r.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("[0].attrs.bogus"))
        #expect(message.contains("requires attribute `email`"))
        let problems = (r.json["error"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
        #expect(problems.contains { $0["path"] as? String == "$[0].attrs.bogus" && $0["line"] as? Int == 1 })
        // Unknown things are 404s, clashes 409s.
        #expect(try d.admin.delete("/v1/entities/User/nobody").status == 404)
        #expect(try d.admin.post("/v1/sessions/none/revoke", "").status == 404)
        #expect(try d.admin.post("/v1/links", #"{"templateId": "no-such-template", "newId": "x", "values": {}}"#).status == 404)
        // Risk out of range.
        #expect(try d.admin.put("/v1/principals/User/frank/risk", #"{"risk": 101}"#).status == 400)
        // Bodies are limited (1 MiB by default).
        let big = "[" + String(repeating: " ", count: 2 << 20) + "]"
        #expect(try d.admin.post("/v1/entities", big).status == 413)
        // Nothing of it was applied.
        #expect(try d.generation() == generation)
        #expect(d.stop() == 0)
    }
}
