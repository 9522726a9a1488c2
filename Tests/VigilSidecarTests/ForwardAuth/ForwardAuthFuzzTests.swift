import Foundation
import TestSupport
import Testing
@testable import VigilSidecar

/// Random original requests: every answer is one a proxy understands (never a 5xx), and nothing traps.
@Suite struct ForwardAuthFuzzTests {
    static let pieces = ["/", "docs", "d1", "%2e", "%2E%2e", ".", "..", "%", "%2", "%zz", "%00", "%C3%A9", "%FF", "?",
                         "#", "{id}", "\"", "\\", "é", "comments", "payments", "//", "*", "%2F", "a b", "\u{0}", "\r\n",
                         String(repeating: "x", count: 3000)]

    @Test func randomRequestsGetProxyAnswers() async throws {
        let index = try TestIndex(ForwardAuthTests.policies)
        let config = #"""
            {"identity": {"header": {"name": "X-User", "principal": "User::\"{value}\""}},
             "context": {"ip": {"header": "X-Real-IP", "type": "ipaddr"}},
             "routes": [
               {"method": "GET", "path": "/docs/{id}", "action": "Action::\"view\"", "resource": "Document::\"{id}\""},
               {"method": "*", "path": "/docs/{id}/*", "action": "Action::\"comment\"", "resource": "Document::\"{*}\"",
                "context": {"method": {"request": "method"}}}
             ]}
            """#
        let auth = ForwardAuth(config: try await ForwardAuthConfig.load(file: try index.file("fa.json", config)))
        var rng = SplitMix64(seed: 42)
        var statuses: [Int: Int] = [:]
        for _ in 0..<3000 {
            // Mostly well-formed routes with random parts, so decisions are reached as well as refusals.
            let noise = (0..<Int.random(in: 0...4, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }
            let uri = Bool.random(using: &rng) ? noise.joined()
                : "/docs/" + (Bool.random(using: &rng) ? "d1" : noise.joined())
                    + (Bool.random(using: &rng) ? "" : "/" + noise.joined(separator: "/"))
            let method = ["GET", "GET", "POST", "get", "", "DELETE"].randomElement(using: &rng)!
            var headers: [(name: String, value: String)] = [("X-Original-URI", uri), ("X-Original-Method", method)]
            if Int.random(in: 0..<4, using: &rng) > 0 {
                headers.append(("X-User", (["alice", "alice", "bob"] + Self.pieces).randomElement(using: &rng)!))
            }
            if Bool.random(using: &rng) { headers.append(("X-Real-IP", ["10.1.1.1", "x", "::1"].randomElement(using: &rng)!)) }
            let r = await auth.handle(method: "GET", uri: "/v1/forward-auth", headers: headers) {
                try index.authorizer.decide($0)
            }
            #expect([200, 400, 401, 403].contains(r.status), "\(method) \(uri.debugDescription.prefix(80)): \(r)")
            #expect(r.header("X-Vigil-Decision") != nil)
            statuses[r.status, default: 0] += 1
        }
        // The mix reaches every kind of answer, so the loop tests more than the parser's refusals.
        #expect(statuses.keys.sorted() == [200, 400, 401, 403], "\(statuses)")
    }
}
