/// Everything vigild is configured with (flags, or a JSON config file with the same names: any subset of them,
/// the rest keeping their defaults; an unknown name is an error, so that a misspelt setting is not ignored).
public struct SidecarOptions: Sendable, Codable {
    /// The data directory: the index (`data.mdb`), the journal (`state/`), the admin socket, rings.
    public var data: String
    /// The directory of `.cedar` policy files, watched for edits.
    public var policies: String
    /// A schema file; with it, policies and data are validated.
    public var schema: String?
    /// Entities (Cedar JSON) loaded at every start, before the journaled data changes.
    public var entities: String?
    /// Host and port of the decision, AuthZEN, forward-auth, metrics and health endpoints.
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 8180
    /// The admin and data API's Unix socket (mode 0600); default `DATA/admin.sock`.
    public var adminSocket: String?
    /// Optionally also serve the admin API over TCP, only with a bearer token read from `adminTokenFile`.
    public var adminListenHost: String?
    public var adminListenPort: Int?
    public var adminTokenFile: String?
    /// Body limits: ordinary requests, and bulk entity imports.
    public var maxBodyBytes: Int = 1 << 20
    public var maxImportBytes: Int = 256 << 20
    /// How often the policy directory is checked for edits, and stale reader slots cleared.
    public var watchIntervalMs: Int = 20
    public var readerCheckSeconds: Int = 10
    /// Template links (Cedar JSON) loaded at every start, before the journaled data changes.
    public var links: String?
    /// Forward auth: the routes file and, for JWTs, the JWKS file (docs/forward-auth.md).
    public var routes: String?
    public var jwks: String?
    /// Where hosts write decision rings (default `DATA/rings`, which libvigil finds by itself) and where the
    /// audit trail goes (default `DATA/audit`), rotated at `auditMaxFileBytes`.
    public var rings: String?
    public var audit: String?
    public var auditMaxFileBytes: Int = 64 << 20
    public var drainIntervalMs: Int = 100
    /// The acr value for each step-up level ("1"..."3"); default `urn:vigil:aalN`.
    public var acrValues: [String: String] = [:]

    public init(data: String, policies: String) {
        self.data = data
        self.policies = policies
    }

    /// The admin socket path in effect.
    public var adminSocketPath: String { adminSocket ?? data + "/admin.sock" }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case data, policies, schema, entities, listenHost, listenPort, adminSocket, adminListenHost, adminListenPort
        case adminTokenFile, maxBodyBytes, maxImportBytes, watchIntervalMs, readerCheckSeconds, links, routes, jwks
        case rings, audit, auditMaxFileBytes, drainIntervalMs, acrValues
    }

    /// Reads a config file's object. `data` and `policies` may be left to flags (empty until then).
    /// - Throws: `DecodingError` for an unknown name or a value of the wrong type, naming the setting.
    public init(from decoder: any Decoder) throws {
        let names = try decoder.container(keyedBy: AnyName.self)
        if let unknown = names.allKeys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: names,
                debugDescription: "unknown setting `\(unknown.stringValue)`; known: "
                    + CodingKeys.allCases.map(\.stringValue).joined(separator: ", "))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(data: try c.decodeIfPresent(String.self, forKey: .data) ?? "",
                  policies: try c.decodeIfPresent(String.self, forKey: .policies) ?? "")
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.schema, &schema)
        try read(.entities, &entities)
        try read(.listenHost, &listenHost)
        try read(.listenPort, &listenPort)
        try read(.adminSocket, &adminSocket)
        try read(.adminListenHost, &adminListenHost)
        try read(.adminListenPort, &adminListenPort)
        try read(.adminTokenFile, &adminTokenFile)
        try read(.maxBodyBytes, &maxBodyBytes)
        try read(.maxImportBytes, &maxImportBytes)
        try read(.watchIntervalMs, &watchIntervalMs)
        try read(.readerCheckSeconds, &readerCheckSeconds)
        try read(.links, &links)
        try read(.routes, &routes)
        try read(.jwks, &jwks)
        try read(.rings, &rings)
        try read(.audit, &audit)
        try read(.auditMaxFileBytes, &auditMaxFileBytes)
        try read(.drainIntervalMs, &drainIntervalMs)
        try read(.acrValues, &acrValues)
    }

    private struct AnyName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
