import Foundation
import Testing

/// vigild's forward-auth endpoint asked the way Envoy `ext_authz` (HTTP mode) and Traefik ForwardAuth ask: no
/// proxy needed, the test sends what the proxy would.
@Suite struct ProxyForwardAuthTests {
    /// Starts vigild on examples/saas with the nginx test's routes, read from `from`.
    private func daemon(from request: String) throws -> DaemonProcess {
        let daemon = try DaemonProcess(label: "proxy")
        let config = NginxForwardAuthTests.config.replacingOccurrences(
            of: #""request": {"from": "nginx"}"#, with: #""request": \#(request)"#)
        let file = daemon.root.appendingPathComponent("forward-auth.json")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let jwks = daemon.root.appendingPathComponent("keys.json")
        try ForwardAuthTokens.jwks.write(to: jwks, atomically: true, encoding: .utf8)
        // --jwks replaces the file the configuration names (which does not exist here).
        try daemon.start(extraArguments: ["--routes", file.path, "--jwks", jwks.path])
        return daemon
    }

    private func bearer(_ token: String) -> [(String, String)] {
        [("Authorization", "Bearer " + token), ("X-Real-IP", "10.1.2.3")]
    }

    @Test func envoyAsksWithTheOriginalMethodAndPathUnderThePrefix() throws {
        let d = try daemon(from: #"{"from": "envoy"}"#)
        let allow = try d.http.get("/v1/forward-auth/docs/architecture-overview", headers: bearer(ForwardAuthTokens.alice))
        #expect(allow.status == 200 && allow.header("X-Vigil-Principal") == #"User::"alice""#, "\(d.logText)")
        #expect(allow.header("X-Vigil-Decision") == "allow")
        let deny = try d.http.send("PUT", "/v1/forward-auth/docs/architecture-overview", body: nil,
                                   headers: bearer(ForwardAuthTokens.bob))
        #expect(deny.status == 403 && deny.header("X-Vigil-Decision") == "deny")
        let stepUp = try d.http.get("/v1/forward-auth/billing/acme-main/payment", headers: bearer(ForwardAuthTokens.bob))
        #expect(stepUp.status == 401)
        #expect(stepUp.header("WWW-Authenticate")
                == #"Bearer error="insufficient_user_authentication", acr_values="urn:vigil:aal2", max_age="300""#)
        // The bare prefix is not a request Envoy would send.
        #expect(try d.http.get("/v1/forward-auth", headers: bearer(ForwardAuthTokens.alice)).status == 403)
    }

    @Test func traefikAsksWithForwardedHeaders() throws {
        let d = try daemon(from: #"{"from": "traefik"}"#)
        func ask(_ method: String, _ uri: String, _ token: String) throws -> HTTPClient.Response {
            try d.http.get("/v1/forward-auth", headers: bearer(token) + [
                ("X-Forwarded-Method", method), ("X-Forwarded-Uri", uri), ("X-Forwarded-Host", "app.example"),
            ])
        }
        #expect(try ask("GET", "/docs/architecture-overview", ForwardAuthTokens.alice).status == 200, "\(d.logText)")
        #expect(try ask("PUT", "/docs/architecture-overview", ForwardAuthTokens.bob).status == 403)
        #expect(try ask("GET", "/billing/acme-main/payment", ForwardAuthTokens.bob).status == 401)
        #expect(try ask("GET", "/billing/acme-main/payment", ForwardAuthTokens.bobTOTP).status == 200)
        // nginx's header names mean nothing here: without Traefik's, the request cannot be authorized.
        let nginxStyle = try d.http.get("/v1/forward-auth", headers: bearer(ForwardAuthTokens.alice) + [
            ("X-Original-URI", "/docs/architecture-overview"), ("X-Original-Method", "GET"),
        ])
        #expect(nginxStyle.status == 403 && nginxStyle.header("X-Vigil-Decision") == "invalid_request")
    }
}
