import Foundation
import Testing

/// The AuthZEN Authorization API 1.0 endpoints and Vigil's /v1/authorize, against the running daemon.
@Suite(.serialized)
struct AuthZENTests {
    static let context = #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-alice"}}"#

    @Test func evaluationAnswersAllowDenyAndStepUp() throws {
        let d = try DaemonProcess(label: "authzen")
        try d.start()
        func evaluate(_ user: String, _ action: String, _ doc: String) throws -> [String: Any] {
            let r = try d.http.post("/access/v1/evaluation", """
                {"subject": {"type": "User", "id": "\(user)"}, "action": {"name": "\(action)"},
                 "resource": {"type": "Document", "id": "\(doc)"}, "context": \(Self.context)}
                """)
            #expect(r.status == 200)
            #expect(r.header("Content-Type") == "application/json")
            return r.json
        }
        let allow = try evaluate("alice", "viewDocument", "architecture-overview")
        #expect(allow["decision"] as? Bool == true)
        let vigil = try #require((allow["context"] as? [String: Any])?["vigil"] as? [String: Any])
        #expect(vigil["reasons"] as? [String] == ["engineering-reads-engineering", "owners-control-their-documents"])

        let deny = try evaluate("frank", "editDocument", "architecture-overview")
        #expect(deny["decision"] as? Bool == false)

        // STEP_UP: not allowed, and the context says how to get there (RFC 9470's acr_values and max_age).
        let stepUp = try evaluate("alice", "viewDocument", "incident-postmortem")
        #expect(stepUp["decision"] as? Bool == false)
        let ctx = try #require(stepUp["context"] as? [String: Any])
        #expect(ctx["acr_values"] as? String == "urn:vigil:aal2")
        #expect((ctx["vigil"] as? [String: Any])?["effect"] as? String == "STEP_UP")

        // The batch form: defaults at the top, one answer per item, in order.
        let r = try d.http.post("/access/v1/evaluations", """
            {"subject": {"type": "User", "id": "alice"}, "context": \(Self.context),
             "evaluations": [
               {"action": {"name": "viewDocument"}, "resource": {"type": "Document", "id": "architecture-overview"}},
               {"action": {"name": "viewDocument"}, "resource": {"type": "Document", "id": "incident-postmortem"}},
               {"subject": {"type": "User", "id": "frank"}, "action": {"name": "editDocument"},
                "resource": {"type": "Document", "id": "architecture-overview"}}]}
            """)
        #expect(r.status == 200)
        let answers = try #require(r.json["evaluations"] as? [[String: Any]])
        #expect(answers.map { $0["decision"] as? Bool } == [true, false, false])

        // AuthZEN's evaluations_semantic: the answer stops at the first deny, or at the first permit.
        func semantic(_ name: String, _ docs: [String]) throws -> [Bool?] {
            let items = docs.map { #"{"resource": {"type": "Document", "id": "\#($0)"}}"# }.joined(separator: ",")
            let r = try d.http.post("/access/v1/evaluations", """
                {"subject": {"type": "User", "id": "alice"}, "action": {"name": "viewDocument"},
                 "context": \(Self.context), "options": {"evaluations_semantic": "\(name)"},
                 "evaluations": [\(items)]}
                """)
            #expect(r.status == 200)
            return (r.json["evaluations"] as? [[String: Any]] ?? []).map { $0["decision"] as? Bool }
        }
        let docs = ["architecture-overview", "incident-postmortem", "architecture-overview"]
        #expect(try semantic("execute_all", docs) == [true, false, true])
        #expect(try semantic("deny_on_first_deny", docs) == [true, false])
        #expect(try semantic("permit_on_first_permit", docs) == [true])
        #expect(try semantic("permit_on_first_permit", Array(docs.dropFirst())) == [false, true])

        // Discovery (AuthZEN's PDP metadata): absolute URLs on the host the client asked.
        let meta = try d.http.get("/.well-known/authzen-configuration")
        #expect(meta.status == 200)
        #expect(meta.json["policy_decision_point"] as? String == "http://localhost")
        #expect(meta.json["access_evaluation_endpoint"] as? String == "http://localhost/access/v1/evaluation")
        #expect(meta.json["access_evaluations_endpoint"] as? String == "http://localhost/access/v1/evaluations")
        #expect(meta.json["search_subject_endpoint"] == nil)

        // Vigil's own shape says more: both ids, the step-up requirement, the generation.
        let native = try d.http.post("/v1/authorize", """
            {"principal": {"type": "User", "id": "alice"}, "action": {"type": "Action", "id": "viewDocument"},
             "resource": {"type": "Document", "id": "incident-postmortem"}, "context": \(Self.context)}
            """).json
        #expect(native["decision"] as? String == "STEP_UP")
        #expect((native["step_up"] as? [String: Any])?["level"] as? Int == 2)
        #expect(native["generation"] as? Int == (try d.generation()))
        #expect(d.stop() == 0)
    }

    @Test func vigilAuthorizeRemoteDecidesAsTheLocalIndexDoes() throws {
        let d = try DaemonProcess(label: "remote")
        try d.start()
        let request = ["--principal", #"User::"alice""#, "--action", #"Action::"viewDocument""#,
                       "--resource", #"Document::"incident-postmortem""#, "--context", Self.context]
        func vigil(_ arguments: [String]) throws -> (Int32, String) { try Paths.vigil(["authorize"] + arguments) }
        let remote = try vigil(["--remote", "http://127.0.0.1:\(d.port)"] + request)
        let local = try vigil(["--index", d.data.path] + request)
        #expect(remote.0 == 0)
        #expect(remote.1.hasPrefix("step_up (assurance level 2)\n  reason: policy9 @id(\"confidential-needs-mfa\")"))
        #expect(remote.1 == local.1)
        #expect(d.stop() == 0)
        // Nobody listening: a clear error, exit 2.
        let down = try vigil(["--remote", "http://127.0.0.1:\(d.port)"] + request)
        #expect(down.0 == 2)
        #expect(down.1.contains("cannot reach vigild"))
    }

    @Test func malformedRequestsAreAnswered400WithThePath() throws {
        let d = try DaemonProcess(label: "authzen-bad")
        try d.start()
        var r = try d.http.post("/access/v1/evaluation", #"{"subject": {"type": "User"}}"#)
        #expect(r.status == 400)
        #expect(((r.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("$.subject") == true)
        r = try d.http.post("/access/v1/evaluations", #"{"subject": {"type": "User", "id": "a"}, "evaluations": [{"action": {}}]}"#)
        #expect(r.status == 400)
        #expect(((r.json["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("$.evaluations[0].action") == true)
        r = try d.http.post("/access/v1/evaluations", """
            {"subject": {"type": "User", "id": "a"}, "options": {"evaluations_semantic": "first_wins"},
             "evaluations": [{"action": {"name": "viewDocument"}, "resource": {"type": "Document", "id": "x"}}]}
            """)
        #expect(r.status == 400)
        #expect(((r.json["error"] as? [String: Any])?["message"] as? String)?
            .hasPrefix("$.options.evaluations_semantic: expected one of `execute_all`") == true)
        r = try d.http.post("/access/v1/evaluation", "not json")
        #expect(r.status == 400)
        // A context the evaluator refuses is a denial with the reason, never a 5xx.
        r = try d.http.post("/access/v1/evaluation", """
            {"subject": {"type": "User", "id": "alice"}, "action": {"name": "viewDocument"},
             "resource": {"type": "Document", "id": "architecture-overview"}, "context": {"ip": "not an ip"}}
            """)
        #expect(r.status == 200)
        #expect(r.json["decision"] as? Bool == false)
        #expect(d.stop() == 0)
    }
}
