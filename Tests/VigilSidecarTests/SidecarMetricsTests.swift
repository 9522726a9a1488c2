import Testing
@testable import VigilSidecar

/// The Prometheus text vigild serves: decision families from drained records, and drop counts that survive the
/// removal of a finished ring.
struct SidecarMetricsTests {
    @Test func decisionsAndDropsAreCounted() {
        let m = SidecarMetrics()
        m.decision(effect: "allow", policies: ["owners"], seconds: 3e-6)
        m.decision(effect: "deny", policies: [], seconds: 2e-4)
        m.drained(records: 2, drops: [("a.ring", 5), ("b.ring", 1)], lag: 7, seconds: 0.25)
        // Ring a is drained and removed: a later pass reports only b, whose count has grown.
        m.drained(records: 0, drops: [("b.ring", 3)], lag: 0, seconds: 0.5)
        var status = PublishStatus()
        status.generation = 9
        let text = m.render(status: status)
        #expect(text.contains("vigil_generation 9\n"))
        #expect(text.contains("vigil_decisions_total{effect=\"allow\"} 1\n"))
        #expect(text.contains("vigil_decisions_by_policy_total{policy=\"owners\"} 1\n"))
        #expect(text.contains("vigil_decision_duration_seconds_bucket{le=\"5e-06\"} 1\n"))
        #expect(text.contains("vigil_decision_duration_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("vigil_decision_duration_seconds_count 2\n"))
        #expect(text.contains("vigil_ring_drops_total 8\n"))
        #expect(text.contains("vigil_ring_records_total 2\n"))
        #expect(text.contains("vigil_drain_lag_records 0\n"))
        #expect(text.contains("vigil_drain_seconds_total 0.75\n"))
    }

    /// A drain pass's tally gives the same exposition as the same decisions counted one by one.
    @Test func aTallyCountsLikeSingleDecisions() {
        let decisions: [(String, [String], Double)] = (0..<500).map { i in
            (["allow", "deny", "step_up"][i % 3], i % 4 == 0 ? [] : ["p\(i % 7)", "q\(i % 2)"], Double(i) * 3e-7)
        }
        let one = SidecarMetrics(), bulk = SidecarMetrics()
        var tally = DecisionTally()
        for (effect, policies, seconds) in decisions {
            one.decision(effect: effect, policies: policies, seconds: seconds)
            tally.addLatency(seconds: seconds)
            tally.add(effect: effect, count: 1)
            for p in policies { tally.add(policy: p, count: 1) }
        }
        bulk.decisions(tally)
        let status = PublishStatus()
        #expect(bulk.render(status: status) == one.render(status: status))
        #expect(bulk.render(status: status).contains("vigil_decision_duration_seconds_count 500\n"))
    }
}
