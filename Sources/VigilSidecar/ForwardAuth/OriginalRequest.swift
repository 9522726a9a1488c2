/// Where a proxy puts the request it asks about. There is deliberately no automatic detection: each proxy passes
/// the client's own headers through to the auth request, so a client could add `X-Forwarded-Uri` behind nginx, or
/// `X-Original-URI` behind Traefik, and have a different path authorized. The deployment names its proxy.
public enum RequestSource: Hashable, Sendable {
    /// nginx `auth_request`: the subrequest's own method and path are fixed, so the nginx configuration sets the
    /// original ones in headers (`proxy_set_header X-Original-URI $request_uri;` and
    /// `proxy_set_header X-Original-Method $request_method;`). The host header is optional.
    case nginx(uriHeader: String, methodHeader: String, hostHeader: String)
    /// Traefik ForwardAuth: `X-Forwarded-Method`, `X-Forwarded-Uri`, `X-Forwarded-Host`, which Traefik sets.
    case traefik
    /// Envoy `ext_authz` in HTTP mode: the original method, and the original path appended to `prefix`
    /// (Envoy's `path_prefix`), so `/v1/forward-auth/docs/1` asks about `/docs/1`; the host is `Host`.
    case envoy(prefix: String)

    /// nginx with the usual header names.
    public static let nginxDefault = RequestSource.nginx(
        uriHeader: "X-Original-URI", methodHeader: "X-Original-Method", hostHeader: "X-Original-Host")
    /// The path under which vigild serves forward auth; Envoy's `path_prefix`.
    public static let defaultPrefix = "/v1/forward-auth"
}

/// The request a proxy asks about, decoded and checked.
public struct OriginalRequest: Hashable, Sendable {
    public var method: String
    public var target: RequestTarget
    public var host: String?

    /// Reads the original request from an auth request.
    /// - Parameters:
    ///   - method: the auth request's method.
    ///   - uri: the auth request's target (path and query).
    ///   - maxBytes: the longest original target accepted.
    /// - Throws: `ForwardAuthRequestProblem` when the proxy's headers are missing, repeated or invalid.
    init(source: RequestSource, method: String, uri: String, headers: HTTPHeaders, maxBytes: Int)
        throws(ForwardAuthRequestProblem)
    {
        let originalMethod: String, originalURI: String
        switch source {
        case .nginx(let uriHeader, let methodHeader, let hostHeader):
            guard let u = try headers.single(uriHeader) else { throw .missingHeader(uriHeader) }
            guard let m = try headers.single(methodHeader) else { throw .missingHeader(methodHeader) }
            (originalMethod, originalURI) = (m, u)
            host = try headers.single(hostHeader)
        case .traefik:
            guard let u = try headers.single("X-Forwarded-Uri") else { throw .missingHeader("X-Forwarded-Uri") }
            guard let m = try headers.single("X-Forwarded-Method") else { throw .missingHeader("X-Forwarded-Method") }
            (originalMethod, originalURI) = (m, u)
            host = try headers.single("X-Forwarded-Host")
        case .envoy(let prefix):
            guard uri.hasPrefix(prefix + "/") else { throw .notUnderPrefix(prefix) }
            (originalMethod, originalURI) = (method, String(uri.dropFirst(prefix.count)))
            host = try headers.single("Host")
        }
        guard Self.isMethod(originalMethod) else { throw .badMethod }
        self.method = originalMethod
        do {
            target = try RequestTarget(parsing: originalURI, maxBytes: maxBytes)
        } catch {
            throw .target(error)
        }
    }

    /// An HTTP method token as routes name them: 1 to 32 uppercase letters, `-` or `_`.
    static func isMethod(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 32
            && s.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}
