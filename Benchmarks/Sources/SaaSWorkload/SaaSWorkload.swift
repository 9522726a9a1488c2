// A deterministic SaaS authorization workload: users in nested groups, documents in nested folders, about forty
// policies, and request streams drawn Zipf-distributed (hot users and documents) or uniformly.
import Foundation

/// The workload generator. Everything is a pure function of the shape and the seed, the same on every machine.
public enum SaaSWorkload {
    /// Sizes of the generated world.
    public struct Shape: Sendable {
        public var users: Int
        public var documents: Int
        /// Groups by nesting level below `everyone`: divisions, departments, teams, squads, pods (user depth 3–5).
        public var divisions = 4, departments = 20, teams = 100, squads = 400, pods = 200
        /// Folders by level: workspaces, then levels 1–5 (a document sits 3–6 folders deep).
        public var workspaces = 10
        public var folderLevels = [100, 1_000, 4_000, 2_000, 1_000]

        public init(users: Int = 10_000, documents: Int = 100_000) {
            self.users = max(1, users)
            self.documents = max(1, documents)
        }
    }

    /// One request: uids as (type, id) and the context as Cedar JSON.
    public struct Request: Sendable {
        public var principal: String
        public var action: String
        public var resource: (type: String, id: String)
        public var contextJSON: String
    }

    static func groupID(level: Int, _ n: Int) -> String { "g\(level)-\(n)" }
    static func folderID(level: Int, _ n: Int) -> String { "f\(level)-\(n)" }
    static func userID(_ n: Int) -> String { "u-\(n)" }
    static func documentID(_ n: Int) -> String { "d-\(n)" }
}

/// SplitMix64: small, fast and the same everywhere.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `0..<n` (n > 0); the modulo bias is negligible for these sizes.
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func percent(_ p: Int) -> Bool { int(100) < p }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Draws ranks 0..<n with probability proportional to 1/(rank+1)^s, and maps ranks to items through a fixed
/// random permutation so that the hot items are spread over the id space.
struct Zipf {
    private let cdf: [Double]
    private let items: [Int]

    init(count n: Int, exponent s: Double, rng: inout SplitMix64) {
        var cdf = [Double](repeating: 0, count: n)
        var total = 0.0
        for k in 0..<n {
            total += 1 / pow(Double(k + 1), s)
            cdf[k] = total
        }
        self.cdf = cdf.map { $0 / total }
        var items = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { items.swapAt(i, rng.int(i + 1)) }
        self.items = items
    }

    func draw(_ rng: inout SplitMix64) -> Int {
        let u = rng.unit()
        var (lo, hi) = (0, cdf.count - 1)
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return items[lo]
    }
}
