import Foundation
import Logging
import ServiceLifecycle
import VigilCompiler
import VigilLog

/// Measure: drains every host's decision ring into the hash-chained audit trail, and feeds the decision metrics
/// (by effect, by determining policy, latency) from the same records, until a graceful shutdown (which drains
/// once more). Records written while vigild was down are drained at the first pass.
struct DrainService: Service {
    let drainer: RingDrainer
    let trail: AuditTrail
    let metrics: SidecarMetrics
    let authorizer: Authorizer
    let intervalMs: Int
    let logger: Logger

    func run() async throws {
        var names = PolicyNames()
        // The counts of a pass whose sync is still under way: published once the next pass has released it.
        var unsynced: PassCounts?
        var busy = false
        while true {
            let last = Task.isShuttingDownGracefully || Task.isCancelled
            // While busy, a pass's fsync runs during the next pass, which releases its records; a pass that finds
            // little (the next one after a backlog, the last one) settles everything before it returns.
            let drained = drainOnce(&names, &unsynced, overlapSync: busy && !last)
            if last { return }
            // Busy hosts fill a ring in milliseconds: keep draining while there is plenty, rest when caught up.
            busy = drained >= 1024
            if busy { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(intervalMs)) }
        }
    }

    /// One drain pass; returns how busy the rings were: the records it released plus those it left in flight.
    private func drainOnce(_ names: inout PolicyNames, _ unsynced: inout PassCounts?, overlapSync: Bool) -> Int {
        let start = ContinuousClock.now
        var counts = PassCounts()
        do {
            let stats = try drainer.drain(into: trail, overlapSync: overlapSync, tally: &counts,
                                          observe: { c, d in c.add(d) })
            // Counted only once released (the trail holds them durably), so a failed sync (drained again later)
            // is not counted twice.
            if let previous = unsynced.take() { publish(previous, &names) }
            if stats.inFlight > 0 { unsynced = counts } else { publish(counts, &names) }
            metrics.drained(records: UInt64(stats.records), drops: stats.rings.map { ($0.name, $0.dropped) },
                            lag: stats.lag, seconds: (ContinuousClock.now - start) / .seconds(1))
            if stats.torn > 0 { logger.warning("\(stats.torn) decision records lost to writers that died mid-append") }
            return stats.records + stats.inFlight
        } catch {
            unsynced = nil
            logger.error("decision log drain failed (records stay in their rings): \(error)")
            return 0
        }
    }

    /// Feeds a pass's counts to the metrics: policies are counted by (generation, number) while draining, and
    /// named here, once per pass.
    private func publish(_ counts: PassCounts, _ names: inout PolicyNames) {
        var tally = counts.latency
        for (effect, n) in zip([DecisionRecord.Effect.allow, .deny, .stepUp], counts.effects) where n > 0 {
            tally.add(effect: effect.rawValue, count: n)
        }
        counts.forEachPolicy { generation, number, n in
            tally.add(policy: names.name(number, generation, authorizer), count: n)
        }
        metrics.decisions(tally)
    }
}

/// What one drain pass counts per record, before any label is named: effects in a fixed array, policies by
/// number, latencies in a tally.
struct PassCounts {
    var effects: [UInt64] = [0, 0, 0]   // allow, deny, step-up
    var latency = DecisionTally()
    /// Policies of `generation` (the first one seen: nearly every record of a pass has it) by number, in an
    /// array: a hashed key per determining policy cost more than the rest of the counting. Other generations, and
    /// numbers past `directLimit`, by (generation, number) in `others`.
    private var generation: UInt64?
    private var byNumber: [UInt64] = []
    private var others: [UInt64: UInt64] = [:]
    private static let directLimit: UInt32 = 1 << 16

    mutating func add(_ d: DrainedDecision) {
        switch d.effect {
        case .allow: effects[0] &+= 1
        case .deny: effects[1] &+= 1
        case .stepUp: effects[2] &+= 1
        }
        if generation == nil { generation = d.generation }
        for n in d.determining {
            if d.generation == generation && n < Self.directLimit {
                let i = Int(n)
                if i >= byNumber.count { byNumber.append(contentsOf: repeatElement(0, count: i + 1 - byNumber.count)) }
                byNumber[i] &+= 1
            } else {
                others[d.generation << 32 | UInt64(n), default: 0] &+= 1
            }
        }
        latency.addLatency(seconds: Double(d.evaluationNs) / 1e9)
    }

    /// Calls `body` with each (generation, policy number, count) counted.
    func forEachPolicy(_ body: (UInt64, UInt32, UInt64) -> Void) {
        if let generation {
            for (i, n) in byNumber.enumerated() where n > 0 { body(generation, UInt32(i), n) }
        }
        for (key, n) in others { body(key >> 32, UInt32(truncatingIfNeeded: key), n) }
    }
}

/// Policy numbers to ids for metric labels, remembered per generation (numbers mean different policies after a
/// publish; a record from an older generation is labelled as the current one reads, a rare mislabel, never a
/// lost count).
struct PolicyNames {
    private var generation: UInt64 = 0
    private var names: [UInt32: String] = [:]

    mutating func name(_ number: UInt32, _ generation: UInt64, _ authorizer: Authorizer) -> String {
        if generation != self.generation {
            self.generation = generation
            names = [:]
        }
        if let known = names[number] { return known }
        let id = (try? authorizer.policyID(number)).map { $0.annotated ?? $0.id } ?? "policy#\(number)"
        names[number] = id
        return id
    }
}
