import Foundation
import JWTKit
import Testing
@testable import VigilSidecar

/// Real ES256 and RS256 tokens against a JWKS document.
@Suite struct TokenVerifierTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func acceptsValidTokensSignedWithEitherKey() async throws {
        let keys = try await SigningKeys.make()
        let v = try await keys.verifier()
        for kid in ["ec1", "rsa1"] {
            let claims = try await v.verify(try await keys.token(SigningKeys.claims(now: now), kid: kid), now: now)
            #expect(claims["sub"] == .string("alice"), "\(kid)")
        }
        let multi = try await keys.token(SigningKeys.claims(now: now) {
            $0["aud"] = .array([.string("x"), .string(SigningKeys.audience)])
        })
        #expect(try await v.verify(multi, now: now)["aud"] != nil)
    }

    @Test func refusesExpiredEarlyForeignAndWrongAudienceTokens() async throws {
        let keys = try await SigningKeys.make()
        let v = try await keys.verifier()
        let t = Int64(now.timeIntervalSince1970)
        let cases: [(String, TokenError, (inout [String: ClaimValue]) -> Void)] = [
            ("expired", .expired, { $0["exp"] = .integer(t - 31) }),
            ("no exp", .noExpiry, { $0["exp"] = nil }),
            ("nbf", .notYetValid, { $0["nbf"] = .integer(t + 31) }),
            ("issuer", .issuer, { $0["iss"] = .string("https://evil.example") }),
            ("no issuer", .issuer, { $0["iss"] = nil }),
            ("audience", .audience, { $0["aud"] = .string("other") }),
            ("audiences", .audience, { $0["aud"] = .array([.string("a"), .string("b")]) }),
            ("no audience", .audience, { $0["aud"] = nil }),
        ]
        for (name, error, edit) in cases {
            let token = try await keys.token(SigningKeys.claims(now: now, edit))
            await #expect(throws: error, "\(name)") { try await v.verify(token, now: now) }
        }
        // Within the 30 s leeway.
        let late = try await keys.token(SigningKeys.claims(now: now) { $0["exp"] = .integer(t - 29) })
        #expect(try await v.verify(late, now: now)["sub"] == .string("alice"))
    }

    @Test func refusesForgedTamperedAndUnsignedTokens() async throws {
        let keys = try await SigningKeys.make()
        let v = try await keys.verifier()
        let other = try await SigningKeys.make()
        let forged = try await other.token(SigningKeys.claims(now: now))
        await #expect(throws: TokenError.signature) { try await v.verify(forged, now: now) }

        let good = try await keys.token(SigningKeys.claims(now: now))
        let parts = good.split(separator: ".").map(String.init)
        let evil = SigningKeys.base64URL(Data(#"{"sub":"root","iss":"https://idp.example","aud":"vigil-test","exp":1900000000}"#.utf8))
        await #expect(throws: TokenError.signature) { try await v.verify(parts[0] + "." + evil + "." + parts[2], now: now) }

        let none = SigningKeys.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        await #expect(throws: TokenError.algorithm("none")) { try await v.verify(none, now: now) }
        let hs = SigningKeys.base64URL(Data(#"{"alg":"HS256","kid":"rsa1"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        await #expect(throws: TokenError.algorithm("HS256")) { try await v.verify(hs, now: now) }
        for junk in ["", "a.b", "a.b.c", "...", String(repeating: "x", count: 20000)] {
            await #expect(throws: TokenError.self, "\(junk.prefix(10))") { try await v.verify(junk, now: now) }
        }
    }

    @Test func readsTheTokenFromTheHeaderOrTheCookie() throws {
        func token(_ h: [(name: String, value: String)], cookie: String? = "vt") throws(TokenError) -> String {
            try IdentityConfig.token(HTTPHeaders(fields: h), cookie: cookie)
        }
        #expect(try token([("authorization", "Bearer abc")]) == "abc")
        #expect(try token([("Authorization", "bearer abc")]) == "abc")
        #expect(try token([("Cookie", "a=1; vt=xyz; b=2")]) == "xyz")
        #expect(try token([("Authorization", "Bearer abc"), ("Cookie", "vt=xyz")]) == "abc")
        #expect(throws: TokenError.missing) { try token([("Cookie", "vt=xyz")], cookie: nil) }
        #expect(throws: TokenError.missing) { try token([]) }
        #expect(throws: TokenError.malformed) { try token([("Authorization", "Basic YTpi")]) }
        #expect(throws: TokenError.malformed) { try token([("Authorization", "Bearer a"), ("Authorization", "Bearer b")]) }
    }
}
