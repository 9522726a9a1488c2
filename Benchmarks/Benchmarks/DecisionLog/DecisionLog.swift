// The decision log's consumer side: draining a host's ring of decision records (written by libvigil's real
// vigil_decide on a compiled index) into DecisionRecords, and into the hash-chained audit trail with and without
// fsync. Run from Benchmarks/: `swift package benchmark --target DecisionLog`. One iteration drains 65,536
// records; records/s = 65,536 / the iteration's time. Filling the ring is outside the measurement.
import Benchmark
import CVigil
import Foundation
import VigilCompiler
import VigilData
import VigilLog
import VigilPolicy

/// Stops the run: a short drain must never be reported as a timing.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("DecisionLog: \(message)\n".utf8))
    exit(1)
}

/// A published index with a ring directory, one logging handle on it, and requests shaped like the SaaS
/// workload's (ids of realistic length, a session on every other request).
final class LogWorkload: @unchecked Sendable {
    static let shared = LogWorkload()
    static let batch = 65_536

    let root: String
    let rings: String
    let handle: OpaquePointer
    let drainer: RingDrainer
    private let requests: UnsafeMutablePointer<vigil_request>
    private let count = 1024
    private var cursor = 0

    private init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-log-\(UUID().uuidString)").path
        rings = root + "/index/rings"
        var users: [Entity] = []
        for u in 0..<100 {
            users.append(Entity(uid: EntityUID(type: Name(basename: "User"), id: "u-\(1000 + u)")))
        }
        let policies = """
            permit(principal, action == Action::"view", resource);
            @id("no-delete") forbid(principal, action == Action::"delete", resource);
            permit(principal, action == Action::"comment", resource is Document);
            """
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let file = SourceFile(name: "bench.cedar", text: policies)
            var set = PolicySet()
            set.append(try Parser.parsePolicies(file), from: file)
            let compiled = try Compiler(policies: set, entities: users).compile()
            let writer = try IndexWriter(directory: root + "/index", mapSize: 64 << 20)
            _ = try writer.publish(compiled)
            writer.close()
            try FileManager.default.createDirectory(atPath: rings, withIntermediateDirectories: true)
        } catch { fail("setup: \(error)") }
        // The whole batch fits: nothing is dropped while filling.
        setenv("VIGIL_RING_SLOTS", String(Self.batch), 1)
        var ix: OpaquePointer?
        guard vigil_index_open(root + "/index", 0, &ix) == VIGIL_OK, let ix else { fail("vigil_index_open") }
        unsetenv("VIGIL_RING_SLOTS")
        handle = ix
        do { drainer = try RingDrainer(directory: rings) } catch { fail("drainer: \(error)") }
        requests = .allocate(capacity: count)
        let actions = ["view", "comment", "delete", "edit"]
        for i in 0..<count {
            let strings = ["User", "u-\(1000 + i % 150)", "Action", actions[i % 4], "Document", "d-\(60_000 + i * 37)",
                           i % 2 == 0 ? "sess-\(i)-7f3a9c" : ""]
            let texts = strings.map { s -> (UnsafePointer<CChar>, Int) in
                let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.utf8.count + 1)
                _ = s.withCString { strcpy(p, $0) }
                return (UnsafePointer(p), s.utf8.count)
            }
            var r = vigil_request()
            (r.principal_type, r.principal_type_len) = texts[0]
            (r.principal_id, r.principal_id_len) = texts[1]
            (r.action_type, r.action_type_len) = texts[2]
            (r.action_id, r.action_id_len) = texts[3]
            (r.resource_type, r.resource_type_len) = texts[4]
            (r.resource_id, r.resource_id_len) = texts[5]
            if !strings[6].isEmpty { (r.session_id, r.session_id_len) = texts[6] }
            requests[i] = r
        }
    }

    /// Decides until the ring holds a full batch.
    func fill() {
        var result = vigil_result()
        for _ in 0..<Self.batch {
            _ = vigil_decide(handle, requests + cursor, &result)
            cursor = (cursor + 1) % count
        }
        var appended: UInt64 = 0, dropped: UInt64 = 0
        _ = vigil_log_stats(handle, &appended, &dropped)
        if dropped != 0 { fail("the ring dropped \(dropped) records while filling") }
    }

    /// One trail per sync policy, kept open across iterations as vigild keeps its own (its buffer stays allocated).
    private var trails: [String: AuditTrail] = [:]

    func trail(_ name: String, _ sync: AuditTrail.SyncPolicy) -> AuditTrail {
        if let t = trails[name] { return t }
        do {
            let t = try AuditTrail(directory: root + "/audit-" + name.replacingOccurrences(of: " ", with: "-"),
                                   sync: sync)
            trails[name] = t
            return t
        } catch { fail("trail: \(error)") }
    }

    /// Removes everything this process wrote (each benchmark runs in a process of its own).
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Removes the trail's rotated files (never the one being written), so the disk does not fill up.
    func prune(_ trail: AuditTrail) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: trail.directory))?
            .filter { $0.hasPrefix("audit-") && $0.hasSuffix(".jsonl") }.sorted() ?? []
        for f in files.dropLast() { try? FileManager.default.removeItem(atPath: trail.directory + "/" + f) }
    }
}

let benchmarks: @Sendable () -> Void = {
    let perDrain = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(20), maxIterations: 40)

    Benchmark("Drain 65,536 records into DecisionRecords", configuration: perDrain) { benchmark in
        let w = LogWorkload.shared
        w.fill()
        var n = 0
        benchmark.startMeasurement()
        let stats = try w.drainer.drain(into: { record in
            n += 1
            blackHole(record)
        })
        benchmark.stopMeasurement()
        if stats.records != LogWorkload.batch || n != LogWorkload.batch { fail("drained \(stats.records)") }
    } setup: {
        _ = LogWorkload.shared
    } teardown: {
        LogWorkload.shared.remove()
    }

    for (name, sync) in [("no fsync", AuditTrail.SyncPolicy.never), ("fsync per drain", .everyCommit)] {
        Benchmark("Drain 65,536 records into the audit trail, \(name)", configuration: perDrain) { benchmark in
            let w = LogWorkload.shared
            w.fill()
            let trail = w.trail(name, sync)
            w.prune(trail)
            benchmark.startMeasurement()
            let stats = try w.drainer.drain(into: trail)
            benchmark.stopMeasurement()
            if stats.records != LogWorkload.batch { fail("drained \(stats.records)") }
        } setup: {
            _ = LogWorkload.shared
        } teardown: {
            LogWorkload.shared.remove()
        }
    }
}
