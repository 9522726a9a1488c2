import Foundation
import VigilPolicy

extension ForwardAuthConfig {
    /// Reads `"identity": {"jwt": {…}}` or `"identity": {"header": {…}}` and, for JWT, the JWKS file.
    static func identityConfig(_ node: JSONNode, _ r: ConfigReader, directory: String, jwksFile: String?)
        async throws(Diagnostics) -> IdentityConfig
    {
        let path = JSONPath.root.key("identity")
        let m = try r.object(node, path, allowed: ["jwt", "header"])
        switch (m["jwt"], m["header"]) {
        case (let j?, nil):
            return .jwt(try await jwtIdentity(j, path.key("jwt"), r, directory: directory, jwksFile: jwksFile))
        case (nil, let h?):
            let hp = path.key("header")
            let hm = try r.object(h, hp, allowed: ["name", "principal"])
            let name = try r.nonEmptyString(r.required(hm, "name", in: h, hp), hp.key("name"))
            let pNode = try r.required(hm, "principal", in: h, hp)
            let principal = try r.uid(pNode, hp.key("principal"))
            try r.checkPlaceholders(principal, known: [HeaderIdentity.placeholder], what: "header identity", pNode,
                                    hp.key("principal"))
            return .header(HeaderIdentity(name: name, principal: principal))
        default:
            throw r.fail("identity", "give exactly one of `jwt` and `header`", node, path)
        }
    }

    private static func jwtIdentity(_ node: JSONNode, _ path: JSONPath, _ r: ConfigReader, directory: String,
                                    jwksFile: String?) async throws(Diagnostics) -> JWTIdentity {
        let m = try r.object(node, path, allowed: [
            "jwks", "issuer", "audience", "principal", "cookie", "sessionClaim", "algorithms", "leewaySeconds",
            "tokenContext",
        ])
        let issuer = try r.nonEmptyString(r.required(m, "issuer", in: node, path), path.key("issuer"))
        let audNode = try r.required(m, "audience", in: node, path)
        let audiences = try r.strings(audNode, path.key("audience"))
        guard !audiences.isEmpty, !audiences.contains("") else {
            throw r.fail("empty", "expected at least one audience", audNode, path.key("audience"))
        }
        let pNode = try r.required(m, "principal", in: node, path)
        let principal = try r.uid(pNode, path.key("principal"))
        if principal.placeholders.isEmpty {
            throw r.fail("unknown_placeholder", "the principal `\(principal)` names no claim", pNode,
                         path.key("principal"),
                         help: "write a claim as a placeholder, such as `User::\"{sub}\"`")
        }
        var algorithms = TokenVerifier.defaultAlgorithms
        if let n = m["algorithms"] {
            let list = try r.strings(n, path.key("algorithms"))
            for a in list where !TokenVerifier.defaultAlgorithms.contains(a) {
                throw r.fail("bad_algorithm", "algorithm `\(a)` is not supported", n, path.key("algorithms"),
                             help: "the algorithms are "
                                 + TokenVerifier.defaultAlgorithms.sorted().map { "`\($0)`" }.joined(separator: ", "))
            }
            algorithms = Set(list)
        }
        let leeway = try m["leewaySeconds"].map { n throws(Diagnostics) in
            try r.integer(n, path.key("leewaySeconds"), in: 0...600)
        } ?? 30
        let cookie = try m["cookie"].map { n throws(Diagnostics) in try r.nonEmptyString(n, path.key("cookie")) }
        let session = try m["sessionClaim"].map { n throws(Diagnostics) in
            try r.nonEmptyString(n, path.key("sessionClaim"))
        }
        let tokenContext = try m["tokenContext"].map { n throws(Diagnostics) in
            try r.bool(n, path.key("tokenContext"))
        } ?? true
        // The JWKS: the caller's file wins over the configuration's, which is relative to the configuration.
        let jwksNode = m["jwks"] ?? node
        var jwksPath: String
        if let jwksFile {
            jwksPath = jwksFile
        } else {
            guard let n = m["jwks"] else {
                throw r.fail("missing_key", "missing required key `jwks`", node, path, help: "name a JWKS file")
            }
            jwksPath = try r.nonEmptyString(n, path.key("jwks"))
            if !jwksPath.hasPrefix("/") { jwksPath = directory + "/" + jwksPath }
        }
        let jwks: String
        do {
            jwks = try String(contentsOfFile: jwksPath, encoding: .utf8)
        } catch {
            throw r.fail("jwks", "cannot read the JWKS file `\(jwksPath)`", jwksNode, path.key("jwks"))
        }
        let verifier: TokenVerifier
        do {
            verifier = try await TokenVerifier(jwksJSON: jwks, issuer: issuer, audiences: audiences,
                                               algorithms: algorithms, leewaySeconds: Int64(leeway))
        } catch {
            throw r.fail("jwks", "the JWKS file `\(jwksPath)` is invalid: \(error)", jwksNode, path.key("jwks"))
        }
        return JWTIdentity(verifier: verifier, principal: principal, cookie: cookie, sessionClaim: session,
                           tokenContext: tokenContext)
    }
}
