import Foundation
import VigilCompiler
import VigilPolicy

/// Forward authentication for nginx `auth_request`, Traefik ForwardAuth and Envoy `ext_authz` (HTTP mode): turns
/// the request a proxy asks about into a decision of the C evaluator and the decision into the answer the proxy
/// expects. Pure logic: the HTTP server hands it the auth request and writes back the `ForwardAuthResponse`.
///
/// Answers: ALLOW → 200; DENY → 403; STEP_UP → 401 with an RFC 9470 challenge; no or a bad token → 401 with an
/// RFC 6750 challenge; no route → `unmatchedStatus`; an invalid request → `invalidRequestStatus`; an evaluator
/// error → 403 (fail closed). Never a 5xx.
public struct ForwardAuth: Sendable {
    public let config: ForwardAuthConfig

    public init(config: ForwardAuthConfig) {
        self.config = config
    }

    /// Answers one auth request.
    /// - Parameters:
    ///   - method: the auth request's method (the original method for Envoy).
    ///   - uri: the auth request's target (for Envoy, the prefix and the original path).
    ///   - headers: the auth request's headers, as received.
    ///   - now: the time tokens are checked at.
    ///   - decide: the decision through the C evaluator, usually `Authorizer.decide`; an error denies.
    public func handle(
        method: String, uri: String, headers: [(name: String, value: String)], now: Date = Date(),
        decide: (Request) throws -> Decision
    ) async -> ForwardAuthResponse {
        let h = HTTPHeaders(fields: headers)
        let original: OriginalRequest
        do {
            original = try OriginalRequest(source: config.source, method: method, uri: uri, headers: h,
                                           maxBytes: config.maxTargetBytes)
        } catch {
            return .make(config.outcomes.invalidRequestStatus, .invalidRequest, error.description)
        }
        guard let (_, route, parameters) = config.routes.match(method: original.method,
                                                                 segments: original.target.segments) else {
            return .make(config.outcomes.unmatchedStatus, .noRoute, "no route for this request")
        }
        let caller: Caller
        do {
            caller = try await config.identity.caller(h, now: now)
        } catch {
            return unauthenticated(error)
        }
        let request: Request
        do {
            request = try makeRequest(route, parameters, original, h, caller, now)
        } catch {
            return .make(config.outcomes.invalidRequestStatus, .invalidRequest, error.description)
        }
        let decision: Decision
        do {
            decision = try decide(request)
        } catch {
            return .make(403, .error, "the decision failed: access denied")
        }
        return answer(decision, principal: caller.principal)
    }

    private func makeRequest(
        _ route: Route, _ parameters: [String: String], _ original: OriginalRequest, _ headers: HTTPHeaders,
        _ caller: Caller, _ now: Date
    ) throws(ForwardAuthRequestProblem) -> Request {
        // The loader checks every placeholder names a parameter; a route built in code may not have.
        guard let action = route.action.render({ parameters[$0] }) else {
            throw .unresolvedPlaceholder(route.action.description)
        }
        guard let resource = route.resource.render({ parameters[$0] }) else {
            throw .unresolvedPlaceholder(route.resource.description)
        }
        var context: [String: Value] = tokenContext(caller.claims, now)
        let input = ContextField.Input(request: original, headers: headers, parameters: parameters,
                                       claims: caller.claims, now: now)
        for field in config.routes.context + route.context {
            if let v = try field.value(input) {
                context[field.name] = v
            } else if field.required {
                throw .missingContextValue(field: field.name)
            }
        }
        return Request(principal: caller.principal, action: action, resource: resource, context: .record(context),
                       sessionID: caller.sessionID)
    }

    /// `acr`, `aal` (the level the `acr` stands for), `auth_time` and `auth_age` (seconds since `auth_time`),
    /// each when the token has what it needs, so a step-up policy can accept a token that proves enough.
    private func tokenContext(_ claims: TokenClaims?, _ now: Date) -> [String: Value] {
        guard let claims, case .jwt(let j) = config.identity, j.tokenContext else { return [:] }
        var out: [String: Value] = [:]
        if case .string(let acr)? = claims["acr"] {
            out["acr"] = .string(acr)
            if let level = config.outcomes.level(ofACR: acr) { out["aal"] = .long(Int64(level)) }
        }
        if let t = claims["auth_time"]?.seconds {
            out["auth_time"] = .long(t)
            out["auth_age"] = .long(max(0, Int64(now.timeIntervalSince1970.rounded(.down)) &- t))
        }
        return out
    }

    private func answer(_ d: Decision, principal: EntityUID) -> ForwardAuthResponse {
        let policies = zip(d.reasons, d.annotatedReasons).map { $1 ?? $0 }.joined(separator: ",")
        let info: [(name: String, value: String)] = [
            ("X-Vigil-Principal", ForwardAuthResponse.headerSafe(principal.description)),
            ("X-Vigil-Policies", ForwardAuthResponse.headerSafe(policies)),
            ("X-Vigil-Generation", String(d.generation)),
        ]
        switch d.effect {
        case .allow:
            return .make(200, .allow, "allowed", info)
        case .deny:
            return .make(403, .deny, "denied", info)
        case .stepUp:
            let level = d.stepUpLevel ?? 1
            var params = [("error", "insufficient_user_authentication"),
                          ("acr_values", config.outcomes.acrValues[level] ?? "urn:vigil:aal\(level)")]
            if let maxAge = d.maxAge { params.append(("max_age", String(maxAge))) }
            return .make(401, .stepUp, "stronger authentication required",
                         [("WWW-Authenticate", config.outcomes.challenge(params))] + info)
        }
    }

    private func unauthenticated(_ error: TokenError) -> ForwardAuthResponse {
        let extra: [(name: String, value: String)]
        switch config.identity {
        case .header: extra = []
        case .jwt:
            let params = error == .missing ? []
                : [("error", "invalid_token"), ("error_description", error.description)]
            extra = [("WWW-Authenticate", config.outcomes.challenge(params))]
        }
        return .make(401, .unauthenticated, error.description, extra)
    }
}
