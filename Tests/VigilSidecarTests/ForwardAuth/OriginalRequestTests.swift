import Testing
@testable import VigilSidecar

/// The three proxies' ways of passing the original request.
@Suite struct OriginalRequestTests {
    private func read(_ source: RequestSource, method: String = "GET", uri: String = "/v1/forward-auth",
                      _ headers: [(name: String, value: String)]) throws(ForwardAuthRequestProblem) -> OriginalRequest {
        try OriginalRequest(source: source, method: method, uri: uri, headers: HTTPHeaders(fields: headers),
                            maxBytes: 8192)
    }

    @Test func nginxHeadersWithDefaultAndConfiguredNames() throws {
        let r = try read(.nginxDefault, [("x-original-uri", "/docs/7?v=1"), ("X-Original-Method", "DELETE"),
                                         ("X-Original-Host", "app.example")])
        #expect(r.method == "DELETE" && r.target.segments == ["docs", "7"] && r.target.query == "v=1")
        #expect(r.host == "app.example")
        let custom = RequestSource.nginx(uriHeader: "X-Uri", methodHeader: "X-Method", hostHeader: "X-Host")
        let c = try read(custom, [("X-Uri", "/a"), ("X-Method", "PUT")])
        #expect(c.method == "PUT" && c.target.segments == ["a"] && c.host == nil)
        #expect(throws: ForwardAuthRequestProblem.missingHeader("X-Original-Method")) {
            try read(.nginxDefault, [("X-Original-URI", "/a")])
        }
        // Traefik's names mean nothing to an nginx deployment: a client cannot choose the convention.
        #expect(throws: ForwardAuthRequestProblem.missingHeader("X-Original-URI")) {
            try read(.nginxDefault, [("X-Forwarded-Uri", "/a"), ("X-Forwarded-Method", "GET")])
        }
        #expect(throws: ForwardAuthRequestProblem.repeatedHeader("X-Original-URI")) {
            try read(.nginxDefault, [("X-Original-URI", "/a"), ("X-Original-URI", "/b"), ("X-Original-Method", "GET")])
        }
    }

    @Test func traefikHeaders() throws {
        let r = try read(.traefik, [("X-Forwarded-Method", "POST"), ("X-Forwarded-Uri", "/docs/1/comments"),
                                    ("X-Forwarded-Host", "h.example"), ("X-Original-URI", "/ignored")])
        #expect(r.method == "POST" && r.target.segments == ["docs", "1", "comments"] && r.host == "h.example")
        #expect(throws: ForwardAuthRequestProblem.missingHeader("X-Forwarded-Uri")) {
            try read(.traefik, [("X-Original-URI", "/a"), ("X-Forwarded-Method", "GET")])
        }
    }

    @Test func envoyPrefixedPath() throws {
        let envoy = RequestSource.envoy(prefix: "/v1/forward-auth")
        let r = try read(envoy, method: "PATCH", uri: "/v1/forward-auth/docs/a%2Fb?q", [("Host", "h")])
        #expect(r.method == "PATCH" && r.target.segments == ["docs", "a/b"] && r.target.query == "q" && r.host == "h")
        #expect(throws: ForwardAuthRequestProblem.notUnderPrefix("/v1/forward-auth")) {
            try read(envoy, uri: "/v1/forward-auth", [])
        }
        #expect(throws: ForwardAuthRequestProblem.notUnderPrefix("/v1/forward-auth")) {
            try read(envoy, uri: "/v1/forward-authx/docs", [])
        }
        #expect(throws: ForwardAuthRequestProblem.target(.dotSegment)) {
            try read(envoy, uri: "/v1/forward-auth/docs/%2E%2E/admin", [])
        }
    }

    @Test func refusesBadMethods() {
        for m in ["get", "", "G E T", String(repeating: "A", count: 33), "GET\r\n"] {
            #expect(throws: ForwardAuthRequestProblem.badMethod, "\(m)") {
                try read(.nginxDefault, [("X-Original-URI", "/a"), ("X-Original-Method", m)])
            }
        }
    }
}
