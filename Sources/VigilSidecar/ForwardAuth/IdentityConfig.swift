import Foundation
import VigilPolicy

/// Who is asking: from a verified JWT, or from a header a trusted proxy sets.
public enum IdentityConfig: Sendable {
    case jwt(JWTIdentity)
    case header(HeaderIdentity)
}

/// The principal from a verified bearer token.
public struct JWTIdentity: Sendable {
    public var verifier: TokenVerifier
    /// The principal uid; its placeholders are claim names: `User::"{sub}"`.
    public var principal: UIDTemplate
    /// A cookie that carries the token when there is no `Authorization: Bearer` header.
    public var cookie: String?
    /// A claim whose value is the request's session id (`sid`), so session revocation applies.
    public var sessionClaim: String?
    /// Whether `context.acr`, `context.aal`, `context.auth_time` and `context.auth_age` are filled from the token.
    public var tokenContext: Bool

    public init(verifier: TokenVerifier, principal: UIDTemplate, cookie: String? = nil, sessionClaim: String? = nil,
                tokenContext: Bool = true) {
        self.verifier = verifier
        self.principal = principal
        self.cookie = cookie
        self.sessionClaim = sessionClaim
        self.tokenContext = tokenContext
    }
}

/// The principal from a header that a trusted proxy in front sets (and strips from client requests).
public struct HeaderIdentity: Sendable {
    /// The header, such as `X-User`.
    public var name: String
    /// The principal uid; its placeholder `{value}` is the header's value: `User::"{value}"`.
    public var principal: UIDTemplate

    public static let placeholder = "value"

    public init(name: String, principal: UIDTemplate) {
        self.name = name
        self.principal = principal
    }
}

/// The caller of one request, once identified.
struct Caller {
    var principal: EntityUID
    var claims: TokenClaims?
    var sessionID: String?
}

extension IdentityConfig {
    /// Identifies the caller of a request.
    /// - Throws: `TokenError` when there is no acceptable identity (`.missing` when there is none at all).
    func caller(_ headers: HTTPHeaders, now: Date) async throws(TokenError) -> Caller {
        switch self {
        case .header(let h):
            let values = headers.values(h.name)
            guard values.count == 1, let v = values.first, !v.isEmpty else { throw .missing }
            guard let uid = h.principal.render({ $0 == HeaderIdentity.placeholder ? v : nil }) else {
                throw .principalClaim(h.name)
            }
            return Caller(principal: uid)
        case .jwt(let j):
            let token = try Self.token(headers, cookie: j.cookie)
            let claims = try await j.verifier.verify(token, now: now)
            var missing: String?
            let uid = j.principal.render { name in
                guard let text = claims[name]?.text, !text.isEmpty else {
                    missing = name
                    return nil
                }
                return text
            }
            guard let uid else { throw .principalClaim(missing ?? "") }
            let session = j.sessionClaim.flatMap { claims[$0]?.text }
            return Caller(principal: uid, claims: claims, sessionID: session)
        }
    }

    /// The bearer token of a request: from `Authorization: Bearer …`, else from the configured cookie.
    static func token(_ headers: HTTPHeaders, cookie: String?) throws(TokenError) -> String {
        let authorization = headers.values("Authorization")
        if authorization.count > 1 { throw .malformed }
        if let a = authorization.first {
            // The scheme is case-insensitive (RFC 7235); exactly one space before the token.
            guard a.count > 7, a.prefix(7).lowercased() == "bearer " else { throw .malformed }
            let t = String(a.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { throw .malformed }
            return t
        }
        if let cookie {
            for header in headers.values("Cookie") {
                for pair in header.split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces) == cookie {
                        let t = kv[1].trimmingCharacters(in: .whitespaces)
                        if !t.isEmpty { return t }
                    }
                }
            }
        }
        throw .missing
    }
}
