import Foundation
import Testing
import VigilPolicy
@testable import VigilSidecar

/// The configuration file: every mistake is refused at load with its code, JSON path and line.
@Suite struct ForwardAuthConfigTests {
    static let identity = #""identity": {"header": {"name": "X-User", "principal": "User::\"{value}\""}}"#

    private func load(_ text: String) async -> Result<ForwardAuthConfig, Diagnostics> {
        do {
            return .success(try await ForwardAuthConfig.parse(SourceFile(name: "fa.json", text: text), directory: "/nonexistent"))
        } catch {
            return .failure(error)
        }
    }

    private func routes(_ list: String, context: String = "") -> String {
        "{\(Self.identity), \(context)\"routes\": [\(list)]}"
    }

    private func error(_ text: String) async -> Diagnostic? {
        if case .failure(let d) = await load(text) { return d.all.first }
        return nil
    }

    @Test func readsAFullConfiguration() async throws {
        let text = """
            {"request": {"from": "envoy", "prefix": "/authz"}, "maxTargetBytes": 1024, "unmatchedStatus": 404,
             "invalidRequestStatus": 403, "realm": "app", "stepUp": {"acrValues": {"2": "mfa"}},
             \(Self.identity),
             "context": {"ip": {"header": "X-Forwarded-For", "item": "last", "type": "ipaddr", "required": true},
                         "tenant": {"value": "t1"}},
             "routes": [{"method": ["GET", "HEAD"], "path": "/docs/{id}/*", "action": "Action::\\"view\\"",
                         "resource": "Doc::\\"{id}/{*}\\"", "context": {"doc": {"param": "id"}, "m": {"request": "method"}}}]}
            """
        let c = try await load(text).get()
        #expect(c.source == .envoy(prefix: "/authz") && c.maxTargetBytes == 1024)
        #expect(c.outcomes.unmatchedStatus == 404 && c.outcomes.invalidRequestStatus == 403 && c.outcomes.realm == "app")
        #expect(c.outcomes.acrValues == [1: "urn:vigil:aal1", 2: "mfa", 3: "urn:vigil:aal3"])
        #expect(c.routes.context == [ContextField(name: "ip", source: .header("X-Forwarded-For", item: .last), type: .ipaddr, required: true),
                                     ContextField(name: "tenant", source: .constant(.string("t1")))])
        let r = try #require(c.routes.routes.first)
        #expect(r.methods == ["GET", "HEAD"] && r.path.placeholders == ["id", "*"])
        #expect(r.resource.placeholders == ["id", "*"] && r.context.count == 2)
        guard case .header(let h) = c.identity else { Issue.record("expected a header identity"); return }
        #expect(h.name == "X-User")
    }

    @Test func locatesEachMistake() async throws {
        let cases: [(String, String, String)] = [
            ("{", "vigil.json", ""),
            (routes(#"{"method": "GET", "pth": "/a", "action": "A::\"a\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.unknown_key", "routes[0].pth"),
            (routes(#"{"method": "GET", "path": "/docs/{id}", "action": "A::\"a\"", "resource": "R::\"{doc}\""}"#),
             "vigil.forward_auth.unknown_placeholder", "routes[0].resource"),
            (routes(#"{"method": "GET", "path": "/a", "action": "A:\"a\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.bad_uid", "routes[0].action"),
            (routes(#"{"method": "GET", "path": "a", "action": "A::\"a\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.bad_path", "routes[0].path"),
            (routes(#"{"method": "get", "path": "/a", "action": "A::\"a\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.bad_method", "routes[0].method"),
            (routes(#"{"path": "/a", "action": "A::\"a\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.missing_key", "routes[0]"),
            (routes(#"{"method": "GET", "path": "/d/{id}", "action": "A::\"a\"", "resource": "R::\"r\""},"#
                    + #"{"methods": ["POST", "GET"], "path": "/d/{x}", "action": "A::\"b\"", "resource": "R::\"r\""}"#),
             "vigil.forward_auth.duplicate_route", "routes[1]"),
            (routes(#"{"method": "GET", "path": "/a", "action": "A::\"a\"", "resource": "R::\"r\"", "context": {"x": {"param": "id"}}}"#),
             "vigil.forward_auth.unknown_placeholder", "routes[0].context.x.param"),
            (routes("", context: #""context": {"x": {"header": "H", "claim": "c"}}, "#),
             "vigil.forward_auth.context_source", "context.x"),
            (routes("", context: #""context": {"x": {"value": "v", "type": "ipaddr"}}, "#),
             "vigil.forward_auth.bad_value", "context.x.value"),
            (routes("", context: #""unmatchedStatus": 500, "#), "vigil.forward_auth.range", "unmatchedStatus"),
            (routes("", context: #""request": {"from": "haproxy"}, "#), "vigil.forward_auth.bad_source", "request.from"),
            (routes("", context: #""request": {"from": "traefik", "prefix": "/x"}, "#), "vigil.forward_auth.unknown_key", "request.prefix"),
            (#"{"routes": [], "identity": {"jwt": {"issuer": "i", "audience": "a", "principal": "User::\"{sub}\"", "jwks": "missing.json"}}}"#,
             "vigil.forward_auth.jwks", "identity.jwt.jwks"),
            (#"{"routes": [], "identity": {"jwt": {"issuer": "i", "audience": "a", "principal": "User::\"alice\"", "jwks": "k"}}}"#,
             "vigil.forward_auth.unknown_placeholder", "identity.jwt.principal"),
            (#"{"routes": [], "identity": {"header": {"name": "X-User", "principal": "User::\"{sub}\""}}}"#,
             "vigil.forward_auth.unknown_placeholder", "identity.header.principal"),
            (#"{"routes": []}"#, "vigil.forward_auth.missing_key", ""),
        ]
        for (text, code, path) in cases {
            let d = await error(text)
            #expect(d?.code.hasPrefix(code) == true, "\(code) got \(d?.code ?? "nothing")")
            if d?.jsonPath != nil || !path.isEmpty { #expect(d?.jsonPath == path, "\(code)") }
            #expect(d?.file?.name == "fa.json")
        }
        let typo = await error(routes(#"{"method": "GET", "path": "/a", "acton": "A::\"a\"", "resource": "R::\"r\""}"#))
        #expect(typo?.help == "did you mean `action`?")
        #expect(typo?.description.hasPrefix("fa.json:1:") == true)
    }

    @Test func loadsTheJWKSRelativeToTheFileOrFromTheGivenPath() async throws {
        let keys = try await SigningKeys.make()
        let index = try TestIndex("permit(principal, action, resource);")
        let jwks = try index.file("keys.json", keys.jwks)
        let text = #"{"routes": [], "identity": {"jwt": {"issuer": "i", "audience": ["a", "b"], "principal": "User::\"{sub}\"", "jwks": "keys.json", "cookie": "vt", "sessionClaim": "sid", "leewaySeconds": 5, "algorithms": ["ES256"]}}}"#
        let file = try index.file("fa.json", text)
        let c = try await ForwardAuthConfig.load(file: file)
        guard case .jwt(let j) = c.identity else { Issue.record("expected a JWT identity"); return }
        #expect(j.verifier.audiences == ["a", "b"] && j.verifier.algorithms == ["ES256"] && j.verifier.leewaySeconds == 5)
        #expect(j.cookie == "vt" && j.sessionClaim == "sid" && j.tokenContext)
        let elsewhere = try index.file("fa2.json", text.replacingOccurrences(of: "keys.json", with: "nope.json"))
        _ = try await ForwardAuthConfig.load(file: elsewhere, jwksFile: jwks)
        await #expect(throws: Diagnostics.self) { try await ForwardAuthConfig.load(file: elsewhere) }
        let bad = try index.file("bad.json", #"{"keys": [{"kty": "EC"}]}"#)
        await #expect(throws: Diagnostics.self) { try await ForwardAuthConfig.load(file: file, jwksFile: bad) }
    }
}
