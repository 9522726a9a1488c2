import CryptoExtras
import Foundation
import JWTKit
@testable import VigilSidecar

/// Real keys for tests: an ES256 key (`ec1`) and an RSA key (`rsa1`), a JWKS document with their public halves,
/// and a signer that issues tokens with any claims.
struct SigningKeys {
    let signer: JWTKeyCollection
    let jwks: String
    static let issuer = "https://idp.example"
    static let audience = "vigil-test"

    static func make() async throws -> SigningKeys {
        let ec = ES256PrivateKey()
        let rsa = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: ec, kid: "ec1")
        await signer.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa1")
        guard let xy = ec.publicKey.parameters else { throw CocoaError(.featureUnsupported) }
        let (n, e) = try rsa.publicKey.getKeyPrimitives()
        let jwks = """
            {"keys": [
              {"kty": "EC", "crv": "P-256", "kid": "ec1", "alg": "ES256", "use": "sig", "x": "\(xy.x)", "y": "\(xy.y)"},
              {"kty": "RSA", "kid": "rsa1", "alg": "RS256", "use": "sig", "n": "\(base64URL(n))", "e": "\(base64URL(e))"}
            ]}
            """
        return SigningKeys(signer: signer, jwks: jwks)
    }

    static func base64URL(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Standard valid claims for `sub` at `now`, changed by `edit`.
    static func claims(sub: String = "alice", now: Date, _ edit: (inout [String: ClaimValue]) -> Void = { _ in })
        -> TokenClaims
    {
        let t = Int64(now.timeIntervalSince1970)
        var v: [String: ClaimValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string(sub),
            "iat": .integer(t - 10), "exp": .integer(t + 300),
        ]
        edit(&v)
        return TokenClaims(values: v)
    }

    func token(_ claims: TokenClaims, kid: String = "ec1") async throws -> String {
        try await signer.sign(claims, kid: JWKIdentifier(string: kid))
    }

    func verifier() async throws -> TokenVerifier {
        try await TokenVerifier(jwksJSON: jwks, issuer: Self.issuer, audiences: [Self.audience])
    }

    /// Writes the JWKS document into `directory` and returns its path.
    func writeJWKS(in directory: String) throws -> String {
        let path = directory + "/jwks.json"
        try jwks.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
