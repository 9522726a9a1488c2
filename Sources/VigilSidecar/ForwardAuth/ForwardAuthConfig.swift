import Foundation
import VigilPolicy

/// Everything forward auth needs: where the proxy puts the request, the routes, the identity, and the answers.
/// Read from one JSON file (docs/forward-auth.md) by `load(file:jwksFile:)`.
public struct ForwardAuthConfig: Sendable {
    public var source: RequestSource
    /// The longest original request target (path and query) accepted, in bytes.
    public var maxTargetBytes: Int
    public var routes: RoutesConfig
    public var identity: IdentityConfig
    public var outcomes: OutcomeConfig

    public static let defaultMaxTargetBytes = 8192

    public init(source: RequestSource = .nginxDefault, maxTargetBytes: Int = ForwardAuthConfig.defaultMaxTargetBytes,
                routes: RoutesConfig, identity: IdentityConfig, outcomes: OutcomeConfig = OutcomeConfig()) {
        self.source = source
        self.maxTargetBytes = maxTargetBytes
        self.routes = routes
        self.identity = identity
        self.outcomes = outcomes
    }

    /// Reads a forward-auth configuration file and the JWKS file it names.
    /// - Parameters:
    ///   - file: the configuration's path.
    ///   - jwksFile: a JWKS path that replaces the one the file names (relative names in the file are relative
    ///     to the file's directory).
    /// - Throws: `Diagnostics` with one located error (`vigil.forward_auth.*`), with the JSON path of the value.
    public static func load(file: String, jwksFile: String? = nil) async throws(Diagnostics) -> ForwardAuthConfig {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw Diagnostics(Diagnostic(code: "vigil.forward_auth.read",
                                         message: "cannot read `\(file)`: \(error.localizedDescription)"))
        }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        return try await parse(SourceFile(name: file, text: text), directory: directory, jwksFile: jwksFile)
    }

    /// Reads a forward-auth configuration from text.
    /// - Parameter directory: the directory relative file names in the configuration are read from.
    /// - Throws: as `load(file:jwksFile:)`.
    public static func parse(_ file: SourceFile, directory: String, jwksFile: String? = nil)
        async throws(Diagnostics) -> ForwardAuthConfig
    {
        let root = try JSON.parse(file)
        let r = ConfigReader(file: file)
        let top = try r.object(root, .root, allowed: [
            "request", "maxTargetBytes", "identity", "stepUp", "unmatchedStatus", "invalidRequestStatus", "realm",
            "context", "routes",
        ])
        let source = try top["request"].map { n throws(Diagnostics) in try requestSource(n, r) } ?? .nginxDefault
        let maxBytes = try top["maxTargetBytes"].map { n throws(Diagnostics) in
            try r.integer(n, JSONPath.root.key("maxTargetBytes"), in: 256...1_048_576)
        } ?? defaultMaxTargetBytes
        var outcomes = OutcomeConfig()
        if let n = top["unmatchedStatus"] {
            outcomes.unmatchedStatus = try r.integer(n, JSONPath.root.key("unmatchedStatus"), in: 400...499)
        }
        if let n = top["invalidRequestStatus"] {
            outcomes.invalidRequestStatus = try r.integer(n, JSONPath.root.key("invalidRequestStatus"), in: 400...499)
        }
        if let n = top["realm"] { outcomes.realm = try r.nonEmptyString(n, JSONPath.root.key("realm")) }
        if let n = top["stepUp"] { outcomes.acrValues = try acrValues(n, r) }
        let context = try top["context"].map { n throws(Diagnostics) in
            try contextFields(n, JSONPath.root.key("context"), parameters: [], r)
        } ?? []
        let routeNode = try r.required(top, "routes", in: root, .root)
        let routes = RoutesConfig(routes: try routeList(routeNode, r), context: context)
        let identityNode = try r.required(top, "identity", in: root, .root)
        let identity = try await identityConfig(identityNode, r, directory: directory, jwksFile: jwksFile)
        return ForwardAuthConfig(source: source, maxTargetBytes: maxBytes, routes: routes, identity: identity,
                                 outcomes: outcomes)
    }

    private static func requestSource(_ node: JSONNode, _ r: ConfigReader) throws(Diagnostics) -> RequestSource {
        let path = JSONPath.root.key("request")
        let m = try r.object(node, path, allowed: ["from", "uriHeader", "methodHeader", "hostHeader", "prefix"])
        let from = try r.string(r.required(m, "from", in: node, path), path.key("from"))
        func only(_ keys: [String]) throws(Diagnostics) {
            for (k, v) in m where k != "from" && !keys.contains(k) {
                throw r.fail("unknown_key", "key `\(k)` does not apply to `\(from)`", v, path.key(k))
            }
        }
        switch from {
        case "nginx":
            try only(["uriHeader", "methodHeader", "hostHeader"])
            guard case .nginx(var u, var me, var h) = RequestSource.nginxDefault else { return .nginxDefault }
            if let n = m["uriHeader"] { u = try r.nonEmptyString(n, path.key("uriHeader")) }
            if let n = m["methodHeader"] { me = try r.nonEmptyString(n, path.key("methodHeader")) }
            if let n = m["hostHeader"] { h = try r.nonEmptyString(n, path.key("hostHeader")) }
            return .nginx(uriHeader: u, methodHeader: me, hostHeader: h)
        case "traefik":
            try only([])
            return .traefik
        case "envoy":
            try only(["prefix"])
            var prefix = RequestSource.defaultPrefix
            if let n = m["prefix"] {
                prefix = try r.string(n, path.key("prefix"))
                guard prefix.hasPrefix("/"), !prefix.hasSuffix("/") else {
                    throw r.fail("bad_prefix", "the prefix must start with `/` and not end with one", n,
                                 path.key("prefix"))
                }
            }
            return .envoy(prefix: prefix)
        default:
            let n = m["from"] ?? node
            throw r.fail("bad_source", "unknown proxy `\(from)`", n, path.key("from"),
                         help: "`from` is `nginx`, `traefik` or `envoy`")
        }
    }

    private static func acrValues(_ node: JSONNode, _ r: ConfigReader) throws(Diagnostics) -> [UInt32: String] {
        let path = JSONPath.root.key("stepUp")
        let m = try r.object(node, path, allowed: ["acrValues"])
        guard let v = m["acrValues"] else { return OutcomeConfig.defaultACRValues }
        let levels = try r.object(v, path.key("acrValues"), allowed: ["1", "2", "3"])
        var out = OutcomeConfig.defaultACRValues
        for (k, n) in levels {
            let acr = try r.nonEmptyString(n, path.key("acrValues").key(k))
            if let level = UInt32(k) { out[level] = acr }
        }
        return out
    }

    private static func routeList(_ node: JSONNode, _ r: ConfigReader) throws(Diagnostics) -> [Route] {
        let path = JSONPath.root.key("routes")
        var routes: [Route] = []
        for (i, item) in try r.array(node, path).enumerated() {
            routes.append(try route(item, path.index(i), r))
            if let d = RoutesConfig(routes: routes).duplicate(of: i) {
                throw r.fail("duplicate_route", "route \(i) covers the same requests as route \(d)", item,
                             path.index(i),
                             help: "give them different methods or merge them")
            }
        }
        return routes
    }

    private static func route(_ node: JSONNode, _ path: JSONPath, _ r: ConfigReader) throws(Diagnostics) -> Route {
        let m = try r.object(node, path, allowed: ["method", "methods", "path", "action", "resource", "context"])
        if m["method"] != nil && m["methods"] != nil {
            throw r.fail("duplicate_key", "give `method` or `methods`, not both", node, path)
        }
        var methods: Set<String>?
        if let key = m["method"] != nil ? "method" : m["methods"] != nil ? "methods" : nil, let n = m[key] {
            let list = try r.strings(n, path.key(key))
            if list != ["*"] {
                for method in list where !OriginalRequest.isMethod(method) {
                    throw r.fail("bad_method", "invalid method `\(method)`", n, path.key(key),
                                 help: "methods are uppercase, such as `GET`; `*` is any method")
                }
                guard !list.isEmpty else { throw r.fail("bad_method", "no methods given", n, path.key(key)) }
                methods = Set(list)
            }
        } else {
            throw r.fail("missing_key", "missing required key `method`", node, path,
                         help: "`\"method\": \"*\"` covers any method")
        }
        let pathNode = try r.required(m, "path", in: node, path)
        let pathText = try r.string(pathNode, path.key("path"))
        let pattern: PathPattern
        do {
            pattern = try PathPattern(parsing: pathText)
        } catch {
            throw r.place(error, pathNode, path.key("path"))
        }
        let known = pattern.placeholders
        let actionNode = try r.required(m, "action", in: node, path)
        let action = try r.uid(actionNode, path.key("action"))
        try r.checkPlaceholders(action, known: known, what: "route", actionNode, path.key("action"))
        let resourceNode = try r.required(m, "resource", in: node, path)
        let resource = try r.uid(resourceNode, path.key("resource"))
        try r.checkPlaceholders(resource, known: known, what: "route", resourceNode, path.key("resource"))
        let context = try m["context"].map { n throws(Diagnostics) in
            try contextFields(n, path.key("context"), parameters: known, r)
        } ?? []
        return Route(methods: methods, path: pattern, action: action, resource: resource, context: context)
    }
}
