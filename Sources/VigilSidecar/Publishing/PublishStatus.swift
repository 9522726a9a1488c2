/// What the publisher reports on `GET /v1/status` and in metrics.
public struct PublishStatus: Codable, Sendable {
    /// A located problem: in the policy files (file, line, column) or in a request body (path, line, column).
    public struct Problem: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var file: String?
        public var line: Int?
        public var column: Int?
        /// The JSON path of the offending value, for request bodies (`$[0].attrs.email`).
        public var path: String?
    }

    /// Whether a policy set from the files is live (published by this process).
    public var live: Bool = false
    /// The generation hosts read now; 0 before the first publish.
    public var generation: UInt64 = 0
    public var publishedAtMs: Int64?
    public var policyFiles: Int = 0
    public var entities: Int = 0
    public var sessions: Int = 0
    public var links: Int = 0
    /// Successful publishes (full and incremental) since start.
    public var publishes: Int = 0
    /// Refused policy edits and failed publishes since start.
    public var publishErrors: Int = 0
    /// The problems of the latest policy edit when it was refused; empty when the files on disk are live.
    public var policyErrors: [Problem] = []
    /// When the latest policy edit was refused (Unix ms).
    public var policyErrorsAtMs: Int64?
}
