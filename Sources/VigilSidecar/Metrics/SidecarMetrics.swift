import Foundation
import Synchronization

/// Counters vigild exposes on `/metrics` in Prometheus' text format. Decisions made over HTTP are counted here;
/// decisions made inside hosts reach the counters through the decision-log drain.
public final class SidecarMetrics: Sendable {
    private struct State {
        var decisions: [String: UInt64] = [:]           // by effect
        var decisionsByPolicy: [String: UInt64] = [:]
        var latencyBuckets = [UInt64](repeating: 0, count: SidecarMetrics.latencyBounds.count + 1)
        var latencySumSeconds = 0.0
        var latencyCount: UInt64 = 0
        var httpRequests: [String: UInt64] = [:]        // by route and status class
        var ringDrops: [String: UInt64] = [:]           // each ring's own (cumulative) drop count, by ring
        var ringRecords: UInt64 = 0
        var drainLagRecords: UInt64 = 0
        var drainSeconds = 0.0
        var staleReadersCleared: UInt64 = 0
    }

    /// Upper bounds of the decision-latency histogram, in seconds (100 ns to 1 ms).
    static let latencyBounds: [Double] = [1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 1e-4, 1e-3]

    private let state = Mutex(State())

    public init() {}

    /// Counts one decision: its effect, determining policies and evaluation time.
    public func decision(effect: String, policies: [String], seconds: Double) {
        var tally = DecisionTally()
        tally.add(effect: effect, policies: policies, seconds: seconds)
        decisions(tally)
    }

    /// Adds a drain pass's decisions (`DecisionTally`) in one step.
    public func decisions(_ tally: DecisionTally) {
        guard tally.count > 0 else { return }
        state.withLock { s in
            for (effect, n) in tally.byEffect { s.decisions[effect, default: 0] += n }
            for (policy, n) in tally.byPolicy { s.decisionsByPolicy[policy, default: 0] += n }
            for (i, n) in tally.latencyBuckets.enumerated() { s.latencyBuckets[i] += n }
            s.latencySumSeconds += tally.latencySumSeconds
            s.latencyCount += tally.count
        }
    }

    /// Counts one HTTP request by route and status.
    public func request(route: String, status: Int) {
        state.withLock { $0.httpRequests["\(route)\u{0}\(status)", default: 0] += 1 }
    }

    /// Records what a drain pass saw: records drained, each ring's drop count (cumulative per ring, so the latest
    /// is kept, and a removed ring's final count stays in the total), records still waiting, and how long the
    /// pass took (its share of wall time tells how close the drain is to falling behind).
    public func drained(records: UInt64, drops: [(ring: String, dropped: UInt64)], lag: UInt64, seconds: Double) {
        state.withLock { s in
            s.ringRecords += records
            s.drainSeconds += seconds
            for (ring, dropped) in drops { s.ringDrops[ring] = dropped }
            s.drainLagRecords = lag
        }
    }

    /// Counts reader slots cleared by `mdb_reader_check`.
    public func staleReadersCleared(_ n: Int) {
        state.withLock { $0.staleReadersCleared += UInt64(max(0, n)) }
    }

    /// The exposition text, with the publisher's status.
    public func render(status: PublishStatus) -> String {
        let s = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("vigil_generation", "gauge", "The index generation hosts read now.")
        out += "vigil_generation \(status.generation)\n"
        family("vigil_publishes_total", "counter", "Generations published (policy edits and data changes).")
        out += "vigil_publishes_total \(status.publishes)\n"
        family("vigil_publish_errors_total", "counter", "Refused policy edits and failed publishes.")
        out += "vigil_publish_errors_total \(status.publishErrors)\n"
        family("vigil_policy_errors", "gauge", "Problems in the policy files on disk (0 when they are live).")
        out += "vigil_policy_errors \(status.policyErrors.count)\n"
        family("vigil_entities", "gauge", "Entities in the published data.")
        out += "vigil_entities \(status.entities)\n"
        family("vigil_decisions_total", "counter", "Decisions by effect.")
        for (effect, n) in s.decisions.sorted(by: { $0.key < $1.key }) {
            out += "vigil_decisions_total{effect=\"\(escape(effect))\"} \(n)\n"
        }
        family("vigil_decisions_by_policy_total", "counter", "Decisions each policy determined.")
        for (policy, n) in s.decisionsByPolicy.sorted(by: { $0.key < $1.key }) {
            out += "vigil_decisions_by_policy_total{policy=\"\(escape(policy))\"} \(n)\n"
        }
        family("vigil_decision_duration_seconds", "histogram", "Evaluation time of decisions.")
        var cumulative: UInt64 = 0
        for (i, bound) in Self.latencyBounds.enumerated() {
            cumulative += s.latencyBuckets[i]
            out += "vigil_decision_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += s.latencyBuckets[Self.latencyBounds.count]
        out += "vigil_decision_duration_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "vigil_decision_duration_seconds_sum \(s.latencySumSeconds)\n"
        out += "vigil_decision_duration_seconds_count \(s.latencyCount)\n"
        family("vigil_http_requests_total", "counter", "HTTP requests by route and status.")
        for (key, n) in s.httpRequests.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            out += "vigil_http_requests_total{route=\"\(escape(parts[0]))\",status=\"\(parts.count > 1 ? parts[1] : "")\"} \(n)\n"
        }
        family("vigil_ring_records_total", "counter", "Decision records drained from host rings.")
        out += "vigil_ring_records_total \(s.ringRecords)\n"
        family("vigil_ring_drops_total", "counter", "Decision records hosts dropped because their ring was full.")
        out += "vigil_ring_drops_total \(s.ringDrops.values.reduce(0, &+))\n"
        family("vigil_drain_lag_records", "gauge", "Decision records waiting in rings after the last drain.")
        out += "vigil_drain_lag_records \(s.drainLagRecords)\n"
        family("vigil_drain_seconds_total", "counter",
               "Time spent draining rings into the audit trail (records over this is the drain's own rate).")
        out += "vigil_drain_seconds_total \(s.drainSeconds)\n"
        family("vigil_stale_readers_cleared_total", "counter", "Reader slots of dead hosts freed.")
        out += "vigil_stale_readers_cleared_total \(s.staleReadersCleared)\n"
        return out
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Decisions counted before they reach `SidecarMetrics` in one step: the decision-log drain counts hundreds of
/// thousands a second, too many to take the metrics lock and build label strings for each.
public struct DecisionTally: Sendable {
    public private(set) var byEffect: [String: UInt64] = [:]
    public private(set) var byPolicy: [String: UInt64] = [:]
    public private(set) var latencyBuckets = [UInt64](repeating: 0, count: SidecarMetrics.latencyBounds.count + 1)
    public private(set) var latencySumSeconds = 0.0
    public private(set) var count: UInt64 = 0

    public init() {}

    /// Counts one decision.
    public mutating func add(effect: String, policies: some Sequence<String>, seconds: Double) {
        add(effect: effect, count: 1)
        for p in policies { add(policy: p, count: 1) }
        addLatency(seconds: seconds)
    }

    /// Counts one decision's evaluation time (and the decision itself).
    public mutating func addLatency(seconds: Double) {
        let i = SidecarMetrics.latencyBounds.firstIndex { seconds <= $0 } ?? SidecarMetrics.latencyBounds.count
        latencyBuckets[i] += 1
        latencySumSeconds += seconds
        count += 1
    }

    /// Counts `count` decisions with `effect`.
    public mutating func add(effect: String, count: UInt64) { byEffect[effect, default: 0] += count }

    /// Counts `count` decisions that `policy` determined.
    public mutating func add(policy: String, count: UInt64) { byPolicy[policy, default: 0] += count }
}
