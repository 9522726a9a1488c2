/// Everything vigild is configured with (flags, or a JSON config file with the same names).
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
}
