import Testing
import VigilLog
@testable import VigilSidecar

/// A drain pass's counts: effects, and determining policies by (generation, number) whether they land in the
/// direct array or in the map beside it.
struct PassCountsTests {
    private func counted(_ counts: PassCounts) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        counts.forEachPolicy { generation, number, n in out["\(generation)/\(number)", default: 0] += n }
        return out
    }

    @Test func countsEveryDeterminingPolicyOfEveryGeneration() {
        var counts = PassCounts()
        counts.add(DrainedDecision(effect: .allow, generation: 7, evaluationNs: 1_000, determining: [3, 40]))
        counts.add(DrainedDecision(effect: .allow, generation: 7, evaluationNs: 2_000, determining: [3]))
        counts.add(DrainedDecision(effect: .deny, generation: 8, evaluationNs: 500, determining: [3]))
        counts.add(DrainedDecision(effect: .stepUp, generation: 7, evaluationNs: 9_000, determining: [70_000, 0]))
        counts.add(DrainedDecision(effect: .deny, generation: 7, evaluationNs: 100, determining: []))
        #expect(counted(counts) == ["7/3": 2, "7/40": 1, "8/3": 1, "7/70000": 1, "7/0": 1])
        #expect(counts.effects == [2, 2, 1])
        #expect(counts.latency.count == 5)
    }

    @Test func onlyTheFirstEightDeterminingPoliciesAreKept() {
        var counts = PassCounts()
        counts.add(DrainedDecision(effect: .allow, generation: 1, evaluationNs: 1, determining: Array(0..<12)))
        #expect(counted(counts).count == 8)
    }
}
