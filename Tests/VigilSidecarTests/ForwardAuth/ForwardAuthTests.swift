import Foundation
import Testing
import VigilCompiler
import VigilPolicy
@testable import VigilSidecar

/// The whole path: configuration file, proxy headers, real tokens, a compiled index decided by the C evaluator.
@Suite struct ForwardAuthTests {
    static let policies = #"""
        permit(principal == User::"alice", action == Action::"view", resource == Document::"d1");
        permit(principal == User::"alice", action == Action::"view", resource == Document::"a\"b\\c");
        @id("payments") permit(principal == User::"alice", action == Action::"viewPayment", resource);
        @step_up("2") @max_age("300")
        forbid(principal, action == Action::"viewPayment", resource) unless { context has aal && context.aal >= 2 };
        permit(principal, action == Action::"comment", resource)
            when { context.ip.isInRange(ip("10.0.0.0/8")) && context.method == "POST" };
        permit(principal, action == Action::"clock", resource)
            when { context.now >= datetime("2027-01-15T08:00:00Z") && context.session == Vigil::Session::"s1" };
        """#

    static let config = #"""
        {
          "request": {"from": "nginx"},
          "identity": {"jwt": {"jwks": "jwks.json", "issuer": "https://idp.example", "audience": "vigil-test",
                               "principal": "User::\"{sub}\""}},
          "context": {"ip": {"header": "X-Real-IP", "type": "ipaddr"}},
          "routes": [
            {"method": "GET", "path": "/docs/{id}", "action": "Action::\"view\"", "resource": "Document::\"{id}\""},
            {"method": "GET", "path": "/payments/{id}", "action": "Action::\"viewPayment\"",
             "resource": "Payment::\"{id}\""},
            {"methods": ["POST"], "path": "/docs/{id}/comments", "action": "Action::\"comment\"",
             "resource": "Document::\"{id}\"", "context": {"method": {"request": "method"}}},
            {"method": "GET", "path": "/clock", "action": "Action::\"clock\"", "resource": "Clock::\"c\"",
             "context": {"now": {"request": "now"}, "session": {"claim": "sid", "entityType": "Vigil::Session"}}}
          ]
        }
        """#

    let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct World {
        let index: TestIndex
        let keys: SigningKeys
        let auth: ForwardAuth
        let now: Date

        func ask(_ method: String, _ uri: String, token: String?, _ extra: [(name: String, value: String)] = [])
            async -> ForwardAuthResponse
        {
            var h: [(name: String, value: String)] = [("X-Original-URI", uri), ("X-Original-Method", method)] + extra
            if let token { h.append(("Authorization", "Bearer " + token)) }
            return await auth.handle(method: "GET", uri: "/v1/forward-auth", headers: h, now: now) {
                try index.authorizer.decide($0)
            }
        }

        func token(_ sub: String = "alice", _ edit: (inout [String: ClaimValue]) -> Void = { _ in }) async throws -> String {
            try await keys.token(SigningKeys.claims(sub: sub, now: now, edit))
        }
    }

    func world(config: String = ForwardAuthTests.config) async throws -> World {
        let index = try TestIndex(Self.policies)
        let keys = try await SigningKeys.make()
        _ = try index.file("jwks.json", keys.jwks)
        let path = try index.file("forward-auth.json", config)
        let auth = ForwardAuth(config: try await ForwardAuthConfig.load(file: path))
        return World(index: index, keys: keys, auth: auth, now: now)
    }

    @Test func allowDenyAndStepUp() async throws {
        let w = try await world()
        let allow = await w.ask("GET", "/docs/d1", token: try await w.token())
        #expect(allow.status == 200 && allow.header("X-Vigil-Decision") == "allow")
        #expect(allow.header("X-Vigil-Principal") == #"User::"alice""#)
        #expect(allow.header("X-Vigil-Policies") == "policy0")

        let deny = await w.ask("GET", "/docs/d1", token: try await w.token("bob"))
        #expect(deny.status == 403 && deny.header("X-Vigil-Decision") == "deny")
        #expect(deny.header("WWW-Authenticate") == nil)

        let stepUp = await w.ask("GET", "/payments/p1", token: try await w.token())
        #expect(stepUp.status == 401 && stepUp.header("X-Vigil-Decision") == "step_up")
        #expect(stepUp.header("WWW-Authenticate")
                == #"Bearer error="insufficient_user_authentication", acr_values="urn:vigil:aal2", max_age="300""#)

        // A token whose acr proves level 2 satisfies the step-up (context.aal), and so does level 3.
        for acr in ["urn:vigil:aal2", "urn:vigil:aal3"] {
            let strong = await w.ask("GET", "/payments/p1", token: try await w.token { $0["acr"] = .string(acr) })
            #expect(strong.status == 200 && strong.header("X-Vigil-Policies") == "payments", "\(acr)")
        }
        let weak = await w.ask("GET", "/payments/p1", token: try await w.token { $0["acr"] = .string("urn:vigil:aal1") })
        #expect(weak.status == 401)
    }

    @Test func tokenProblemsAnswer401WithRFC6750Challenges() async throws {
        let w = try await world()
        let missing = await w.ask("GET", "/docs/d1", token: nil)
        #expect(missing.status == 401 && missing.header("WWW-Authenticate") == "Bearer")
        #expect(missing.header("X-Vigil-Decision") == "unauthenticated")
        let t = Int64(now.timeIntervalSince1970)
        let expired = await w.ask("GET", "/docs/d1", token: try await w.token { $0["exp"] = .integer(t - 3600) })
        #expect(expired.status == 401)
        #expect(expired.header("WWW-Authenticate")
                == #"Bearer error="invalid_token", error_description="the access token expired""#)
        let wrongAudience = await w.ask("GET", "/docs/d1", token: try await w.token { $0["aud"] = .string("x") })
        #expect(wrongAudience.status == 401
                && wrongAudience.header("WWW-Authenticate")?.hasPrefix(#"Bearer error="invalid_token""#) == true)
        let garbage = await w.ask("GET", "/docs/d1", token: "not.a.token")
        #expect(garbage.status == 401)
        let noSub = await w.ask("GET", "/docs/d1", token: try await w.token { $0["sub"] = nil })
        #expect(noSub.status == 401 && noSub.body.contains("`sub`"))
    }

    @Test func unmatchedInvalidAndFailingRequestsNeverAnswer5xx() async throws {
        let w = try await world()
        let token = try await w.token()
        let noRoute = await w.ask("GET", "/admin", token: token)
        #expect(noRoute.status == 403 && noRoute.header("X-Vigil-Decision") == "no_route")
        let wrongMethod = await w.ask("DELETE", "/docs/d1", token: token)
        #expect(wrongMethod.status == 403 && wrongMethod.header("X-Vigil-Decision") == "no_route")
        for uri in ["/docs/../payments/p1", "/docs/%2e%2e", "/docs/%00", "docs/d1", "/docs/" + String(repeating: "x", count: 9000)] {
            let r = await w.ask("GET", uri, token: token)
            #expect(r.status == 400 && r.header("X-Vigil-Decision") == "invalid_request", "\(uri.prefix(20))")
        }
        let failing = await w.auth.handle(
            method: "GET", uri: "/v1/forward-auth",
            headers: [("X-Original-URI", "/docs/d1"), ("X-Original-Method", "GET"), ("Authorization", "Bearer " + token)],
            now: now) { _ in throw CancellationError() }
        #expect(failing.status == 403 && failing.header("X-Vigil-Decision") == "error")

        let custom = try await world(config: Self.config.replacingOccurrences(
            of: #""request": {"from": "nginx"},"#, with: #""request": {"from": "nginx"}, "unmatchedStatus": 404, "invalidRequestStatus": 403,"#))
        #expect(await custom.ask("GET", "/admin", token: token).status == 404)
        #expect(await custom.ask("GET", "/docs/..", token: token).status == 403)
    }

    @Test func parametersAreDecodedOnceAndReachTheUidVerbatim() async throws {
        let w = try await world()
        let token = try await w.token()
        let escaped = await w.ask("GET", "/docs/a%22b%5Cc", token: token)
        #expect(escaped.status == 200 && escaped.header("X-Vigil-Policies") == "policy1")
        // Decoded once only: `%2522` is the text `%22`, another document.
        #expect(await w.ask("GET", "/docs/a%2522b%5Cc", token: token).status == 403)
        // A hostile id stays inside the resource id.
        #expect(await w.ask("GET", #"/docs/d1%22%2C%20Admin%3A%3A%22x"#, token: token).status == 403)
    }

    @Test func contextFieldsFromHeadersAndTheRequest() async throws {
        let w = try await world()
        let token = try await w.token()
        #expect(await w.ask("POST", "/docs/d1/comments", token: token, [("X-Real-IP", "10.1.2.3")]).status == 200)
        #expect(await w.ask("POST", "/docs/d1/comments", token: token, [("X-Real-IP", "192.168.1.1")]).status == 403)
        let bad = await w.ask("POST", "/docs/d1/comments", token: token, [("X-Real-IP", "not-an-ip")])
        #expect(bad.status == 400 && bad.body.contains("`ip`"))
        // An optional field without a value is left out: the policy's `context.ip` errors and nothing permits.
        #expect(await w.ask("POST", "/docs/d1/comments", token: token).status == 403)
    }

    @Test func theRequestTimeAndEntitiesFromClaims() async throws {
        let w = try await world()
        #expect(await w.ask("GET", "/clock", token: try await w.token { $0["sid"] = .string("s1") }).status == 200)
        #expect(await w.ask("GET", "/clock", token: try await w.token { $0["sid"] = .string("s2") }).status == 403)
        #expect(await w.ask("GET", "/clock", token: try await w.token { $0["sid"] = .integer(1) }).status == 400)
        let early = World(index: w.index, keys: w.keys, auth: w.auth, now: Date(timeIntervalSince1970: 1_800_000_000 - 86400 * 200))
        #expect(await early.ask("GET", "/clock", token: try await early.token { $0["sid"] = .string("s1") }).status == 403)
        #expect(ContextField.datetime(Date(timeIntervalSince1970: 1_800_000_000.1234)) == Value.construct("datetime", "2027-01-15T08:00:00.123Z"))
    }

    @Test func traefikWithATrustedHeaderAndEnvoyWithAPrefix() async throws {
        let traefik = #"""
            {"request": {"from": "traefik"}, "identity": {"header": {"name": "X-User", "principal": "User::\"{value}\""}},
             "routes": [{"method": "*", "path": "/docs/{id}", "action": "Action::\"view\"", "resource": "Document::\"{id}\""}]}
            """#
        let index = try TestIndex(Self.policies)
        let t = ForwardAuth(config: try await ForwardAuthConfig.load(file: try index.file("t.json", traefik)))
        func traefikAsk(_ user: String?) async -> ForwardAuthResponse {
            var h: [(name: String, value: String)] = [("X-Forwarded-Method", "GET"), ("X-Forwarded-Uri", "/docs/d1")]
            if let user { h.append(("X-User", user)) }
            return await t.handle(method: "GET", uri: "/v1/forward-auth", headers: h) { try index.authorizer.decide($0) }
        }
        #expect(await traefikAsk("alice").status == 200)
        #expect(await traefikAsk("bob").status == 403)
        let anonymous = await traefikAsk(nil)
        #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate") == nil)

        let envoy = traefik.replacingOccurrences(of: #"{"from": "traefik"}"#, with: #"{"from": "envoy", "prefix": "/authz"}"#)
        let e = ForwardAuth(config: try await ForwardAuthConfig.load(file: try index.file("e.json", envoy)))
        let r = await e.handle(method: "GET", uri: "/authz/docs/d1", headers: [("X-User", "alice")]) {
            try index.authorizer.decide($0)
        }
        #expect(r.status == 200)
        let post = await e.handle(method: "POST", uri: "/authz/docs/d1", headers: [("X-User", "alice")]) {
            try index.authorizer.decide($0)
        }
        #expect(post.status == 200 && post.header("X-Vigil-Principal") == #"User::"alice""#)
    }
}
