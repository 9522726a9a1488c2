import Foundation
import JWTKit

/// Why a bearer token was not accepted. Each case becomes `error="invalid_token"` (RFC 6750) with its description,
/// except `.missing`, which gets a challenge with no error code, as RFC 6750 §3.1 asks.
public enum TokenError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing
    case tooLong
    case malformed
    case algorithm(String)
    case signature
    case expired
    case noExpiry
    case notYetValid
    case issuer
    case audience
    case principalClaim(String)

    public var description: String {
        switch self {
        case .missing: return "no access token"
        case .tooLong: return "the access token is too long"
        case .malformed: return "the access token is malformed"
        case .algorithm(let a): return "the access token's algorithm `\(a)` is not accepted"
        case .signature: return "the access token's signature does not verify"
        case .expired: return "the access token expired"
        case .noExpiry: return "the access token has no expiry"
        case .notYetValid: return "the access token is not valid yet"
        case .issuer: return "the access token's issuer is not accepted"
        case .audience: return "the access token is not meant for this audience"
        case .principalClaim(let c): return "the access token has no usable `\(c)` claim"
        }
    }
}

/// Verifies JWT access tokens: the signature against keys from a JWKS document (through jwt-kit), the algorithm
/// against an allow-list, then issuer, audience, expiry and not-before against this verifier's clock.
public struct TokenVerifier: Sendable {
    let keys: JWTKeyCollection
    /// The one accepted `iss`.
    public var issuer: String
    /// A token is accepted when its `aud` names at least one of these.
    public var audiences: [String]
    /// Accepted `alg` header values; `none` never is.
    public var algorithms: Set<String>
    /// Clock skew tolerated on `exp` and `nbf`.
    public var leewaySeconds: Int64
    /// Longer tokens are refused before any parsing.
    public var maxTokenBytes: Int

    /// The asymmetric algorithms accepted when the configuration does not list its own.
    public static let defaultAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                                         "ES256", "ES384", "ES512", "EdDSA"]

    /// A verifier for the keys in a JWKS document (each key with a `kid`; asymmetric keys only: shared HMAC
    /// secrets are not supported).
    /// - Throws: when the JWKS document or a key in it is invalid (jwt-kit's error).
    public init(
        jwksJSON: String, issuer: String, audiences: [String],
        algorithms: Set<String> = TokenVerifier.defaultAlgorithms, leewaySeconds: Int64 = 30,
        maxTokenBytes: Int = 16384
    ) async throws {
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwksJSON)
        self.keys = keys
        self.issuer = issuer
        self.audiences = audiences
        self.algorithms = algorithms.subtracting(["none"])
        self.leewaySeconds = leewaySeconds
        self.maxTokenBytes = maxTokenBytes
    }

    /// Verifies one compact-serialized token at time `now`.
    /// - Throws: `TokenError` saying what is wrong with it.
    public func verify(_ token: String, now: Date) async throws(TokenError) -> TokenClaims {
        guard token.utf8.count <= maxTokenBytes else { throw .tooLong }
        let alg = try Self.algorithm(of: token)
        guard algorithms.contains(alg) else { throw .algorithm(alg) }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch let e as JWTError where e.errorType == .malformedToken {
            throw .malformed
        } catch {
            throw .signature
        }
        let t = Int64(now.timeIntervalSince1970.rounded(.down))
        guard let exp = claims["exp"]?.seconds else { throw .noExpiry }
        guard t <= exp &+ leewaySeconds else { throw .expired }
        if let nbfClaim = claims["nbf"] {
            guard let nbf = nbfClaim.seconds, t &+ leewaySeconds >= nbf else { throw .notYetValid }
        }
        guard case .string(issuer)? = claims["iss"] else { throw .issuer }
        let aud: [String]
        switch claims["aud"] {
        case .string(let a)?: aud = [a]
        case .array(let items)?: aud = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: aud = []
        }
        guard aud.contains(where: audiences.contains) else { throw .audience }
        return claims
    }

    /// The `alg` of a token's header, read before any key is chosen.
    static func algorithm(of token: String) throws(TokenError) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URLDecode(parts[0]),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let alg = object["alg"] as? String else { throw .malformed }
        return alg
    }

    static func base64URLDecode(_ s: Substring) -> Data? {
        var b64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
        return Data(base64Encoded: b64)
    }
}
