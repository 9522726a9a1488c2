import CVigil
import Foundation
import Testing
@testable import VigilLog

/// Draining rings the real C library wrote, on an index VigilCompiler compiled.
@Suite struct RingDrainerTests {
    /// Drains everything now: the records in order.
    private func drainAll(_ drainer: RingDrainer) throws -> (records: [DecisionRecord], stats: DrainStats) {
        var records: [DecisionRecord] = []
        let stats = try drainer.drain(into: { records.append($0) })
        return (records, stats)
    }

    @Test func recordsCarryWhatTheHostDecided() throws {
        let f = try LogFixture()
        let ix = try f.open()
        defer { vigil_index_close(ix) }
        let allow = decide(ix, "alice", "view", "d1")
        let deny = decide(ix, "bob", "view", "d1", session: "s-unknown")
        let unknown = decide(ix, "carol", "view", "public")
        #expect(allow.effect == VIGIL_ALLOW && unknown.effect == VIGIL_ALLOW)
        var appended: UInt64 = 0, dropped: UInt64 = 9
        #expect(vigil_log_stats(ix, &appended, &dropped) == VIGIL_OK)
        #expect(appended == 3 && dropped == 0)

        let drainer = try RingDrainer(directory: f.rings)
        let (records, stats) = try drainAll(drainer)
        #expect(stats.records == 3)
        #expect(records.map(\.position) == [0, 1, 2])
        let ring = try #require(f.ringFiles().first)
        #expect(ring.hasPrefix("vigil-\(getpid())-"))
        #expect(records.allSatisfy { $0.ring == ring && $0.pid == UInt32(getpid()) && $0.kind == .decide })

        let a = records[0]
        #expect(a.effect == .allow && a.reason == .policies && a.status == 0)
        #expect(a.principal == DecisionRecord.Entity(type: "User", id: "alice", eid: a.principal.eid))
        #expect(a.principal.eid != nil && a.action.eid != nil && a.resource.eid != nil)
        #expect(a.action.type == "Action" && a.action.id == "view" && a.resource.id == "d1")
        #expect(a.determining == [0] && a.determiningCount == 1 && a.errorCount == 0)
        #expect(a.generation == allow.generation && a.generation > 0)
        #expect(a.evaluationNs > 0 && a.sessionID == nil)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        #expect(a.timeNs <= now && a.timeNs > now - 60_000_000_000)

        // An unknown session denies before any policy runs.
        let b = records[1]
        #expect(b.effect == .deny && b.reason == .sessionUnknown && b.sessionID == "s-unknown")
        #expect(deny.reason == VIGIL_REASON_SESSION_UNKNOWN)
        // A principal the index does not have: no eid.
        let c = records[2]
        #expect(c.principal.id == "carol" && c.principal.eid == nil && c.determining == [2])

        let again = try drainAll(drainer)
        #expect(again.records.isEmpty)
        let status = try #require(again.stats.rings.first)
        #expect(status.appended == 3 && status.drained == 3 && status.lag == 0 && !status.writerGone)
        #expect(try f.ringFiles() == [ring])   // the writer is alive: the ring stays
    }

    @Test func aBatchLogsEveryPair() throws {
        let f = try LogFixture()
        let ix = try f.open()
        defer { vigil_index_close(ix) }
        var base = vigil_request()
        var pairs = [vigil_request](repeating: vigil_request(), count: 3)
        var results = [vigil_result](repeating: vigil_result(), count: 3)
        let rc = "User".withCString { user in "alice".withCString { alice in "Action".withCString { act in
            "view".withCString { view in "edit".withCString { edit in "Doc".withCString { doc in
                "d1".withCString { d1 in
                    (base.principal_type, base.principal_type_len) = (user, 4)
                    (base.principal_id, base.principal_id_len) = (alice, 5)
                    for i in 0..<3 {
                        (pairs[i].action_type, pairs[i].action_type_len) = (act, 6)
                        (pairs[i].action_id, pairs[i].action_id_len) = i == 1 ? (edit, 4) : (view, 4)
                        (pairs[i].resource_type, pairs[i].resource_type_len) = (doc, 3)
                        (pairs[i].resource_id, pairs[i].resource_id_len) = (d1, 2)
                    }
                    return vigil_decide_batch(ix, &base, 3, pairs, pairs, &results)
                } } } } } } }
        #expect(rc == VIGIL_OK)
        let (records, _) = try drainAll(try RingDrainer(directory: f.rings))
        #expect(records.map(\.kind) == [.batch, .batch, .batch])
        #expect(records.map(\.batchIndex) == [0, 1, 2])
        #expect(records.map(\.action.id) == ["view", "edit", "view"])
        #expect(records.map(\.effect) == [.allow, .deny, .allow])
        #expect(records.allSatisfy { $0.principal.id == "alice" })
    }

    @Test func aClosedRingIsRemovedOnceDrained() throws {
        let f = try LogFixture()
        let ix = try f.open()
        for _ in 0..<5 { decide(ix, "alice", "view", "d1") }
        vigil_index_close(ix)
        let drainer = try RingDrainer(directory: f.rings)
        var (records, stats) = try drainAll(drainer)
        #expect(records.count == 5)
        // A process spawned meanwhile by another test briefly shares the ring's descriptor (until its exec
        // closes it), and with it the writer's lock: the ring goes once that is over.
        for _ in 0..<100 where stats.removed.isEmpty {
            usleep(20_000)
            (records, stats) = try drainAll(drainer)
            #expect(records.isEmpty)
        }
        #expect(stats.removed.count == 1 && stats.rings.first?.writerGone == true)
        #expect(try f.ringFiles().isEmpty)
    }

    @Test func drainingIntoATrailKeepsEveryRecordInTheChain() throws {
        let f = try LogFixture()
        let ix = try f.open()
        for i in 0..<50 { decide(ix, i % 2 == 0 ? "alice" : "bob", "view", "d\(i)") }
        let drainer = try RingDrainer(directory: f.rings)
        let trail = try AuditTrail(directory: f.audit, sync: .never)
        #expect(try drainer.drain(into: trail).records == 50)
        for i in 0..<25 { decide(ix, "alice", "view", "e\(i)") }
        vigil_index_close(ix)
        let stats = try drainer.drain(into: trail)
        #expect(stats.records == 25 && trail.lastSequence == 75)
        #expect(try AuditVerifier.verify(directory: f.audit) == .intact(records: 75, files: 1, lastHash: trail.lastHash))
        let lines = try String(contentsOfFile: f.audit + "/audit-000001.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines[1].contains(#""principal":{"type":"User","id":"bob"}"#) && lines[1].contains(#""effect":"deny""#))
        #expect(lines[74].contains(#""resource":{"type":"Doc","id":"e24"}"#))
    }

    /// With `overlapSync`, a drain leaves its records in the ring until the next drain has seen their sync
    /// finish; records appended meanwhile are read after them, none twice, none skipped; a closed ring goes only
    /// once everything in it is released.
    @Test func anOverlappedSyncReleasesOnTheNextDrain() throws {
        let f = try LogFixture()
        let ix = try f.open()
        for i in 0..<30 { decide(ix, "alice", "view", "d\(i)") }
        let drainer = try RingDrainer(directory: f.rings)
        let trail = try AuditTrail(directory: f.audit)
        var none: Void = ()
        func drain(overlap: Bool) throws -> DrainStats {
            try drainer.drain(into: trail, overlapSync: overlap, tally: &none, observe: { _, _ in })
        }
        let first = try drain(overlap: true)
        #expect(first.records == 0 && first.inFlight == 30)
        #expect(first.rings.first?.drained == 0)   // still the writer's to keep, not to overwrite
        for i in 0..<20 { decide(ix, "bob", "view", "e\(i)") }
        vigil_index_close(ix)
        let second = try drain(overlap: true)
        #expect(second.records == 30 && second.inFlight == 20)
        #expect(second.rings.first?.drained == 30 && second.removed.isEmpty)
        var last = try drain(overlap: false)
        #expect(last.records == 20 && last.inFlight == 0 && last.rings.first?.drained == 50)
        for _ in 0..<100 where last.removed.isEmpty {   // see aClosedRingIsRemovedOnceDrained
            usleep(20_000)
            last = try drain(overlap: false)
        }
        #expect(last.removed.count == 1)
        #expect(try AuditVerifier.verify(directory: f.audit) == .intact(records: 50, files: 1, lastHash: trail.lastHash))
        let lines = try String(contentsOfFile: f.audit + "/audit-000001.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.enumerated().allSatisfy { $1.contains("\"pos\":\($0),") })
        #expect(lines[29].contains(#""id":"d29""#) && lines[30].contains(#""id":"e0""#))
        #expect(try AuditFiles.readHead(f.audit)?.seq == 50)
    }

    /// A sync that fails is reported by the next drain, which releases nothing; the drain after that reads every
    /// ring again from its head, so the trail has those records twice rather than not at all.
    @Test func aFailedOverlappedSyncRereadsTheRings() throws {
        let f = try LogFixture()
        let ix = try f.open()
        defer { vigil_index_close(ix) }
        for i in 0..<10 { decide(ix, "alice", "view", "d\(i)") }
        let drainer = try RingDrainer(directory: f.rings)
        let trail = try AuditTrail(directory: f.audit)
        // audit.head is replaced through audit.head.tmp: a directory there makes that fail, even for root.
        let blocker = f.audit + "/audit.head.tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        var none: Void = ()
        let first = try drainer.drain(into: trail, overlapSync: true, tally: &none, observe: { _, _ in })
        #expect(first.inFlight == 10)
        for i in 0..<5 { decide(ix, "bob", "view", "e\(i)") }
        #expect(throws: AuditTrailError.self) {
            try drainer.drain(into: trail, overlapSync: true, tally: &none, observe: { _, _ in })
        }
        try FileManager.default.removeItem(atPath: blocker)
        let again = try drainer.drain(into: trail, overlapSync: false, tally: &none, observe: { _, _ in })
        #expect(again.records == 15 && again.rings.first?.drained == 15)
        // 10 from the failed pass, 5 from the pass that reported it, then all 15 again.
        #expect(try AuditVerifier.verify(directory: f.audit) == .intact(records: 30, files: 1, lastHash: trail.lastHash))
        #expect(try AuditFiles.readHead(f.audit)?.seq == 30)
    }

    /// The drain path formats lines straight from the ring: the trail it writes is byte for byte the trail the
    /// reference formatting (`append(DecisionRecord)`) writes for the same records.
    /// 40 records are formatted on the draining thread; 3,000 (in batches of 1,024, parts of 128) on two, and
    /// written ahead of the commit (past 1 MiB pending), into one file or rotated across many.
    @Test(arguments: [(40, 64 << 20, AuditTrail.SyncPolicy.never), (3000, 64 << 20, .everyCommit), (3000, 100_000, .never)])
    func theDrainPathWritesTheReferenceLines(_ count: Int, _ maxFileBytes: Int, _ sync: AuditTrail.SyncPolicy) throws {
        let f = try LogFixture()
        let ix = try f.open()
        defer { vigil_index_close(ix) }
        for i in 0..<count {
            decide(ix, ["alice", "bob", "carol", "Zoë \"q\" \\ 東京"][i % 4], i % 3 == 0 ? "view" : "edit",
                   "d\(i)\t", session: i % 5 == 0 ? "s-\(i)" : nil)
        }
        let drainer = try RingDrainer(directory: f.rings)
        struct NotYet: Error {}
        var records: [DecisionRecord] = []
        // A commit that fails releases nothing: the same records are drained again below.
        #expect(throws: NotYet.self) { try drainer.drain(into: { records.append($0) }, commit: { throw NotYet() }) }
        #expect(records.count == count)
        let reference = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let expected = try AuditTrail(directory: reference, maxFileBytes: maxFileBytes, sync: .never)
        for r in records { expected.append(r) }
        try expected.commit()

        let trail = try AuditTrail(directory: f.audit, maxFileBytes: maxFileBytes, sync: sync)
        var observed: [DrainedDecision] = []
        #expect(try drainer.drain(into: trail, tally: &observed, observe: { $0.append($1) }).records == count)
        let files = try AuditTrail.fileNumbers(f.audit)
        #expect(files == (try AuditTrail.fileNumbers(reference)))
        #expect(maxFileBytes < 1 << 20 ? files.count > 10 : files.count == 1)
        for n in files {
            let name = "/" + AuditFiles.name(n)
            let fast = try Data(contentsOf: URL(fileURLWithPath: f.audit + name))
            #expect(fast == (try Data(contentsOf: URL(fileURLWithPath: reference + name))), "\(name)")
        }
        #expect(trail.lastHash == expected.lastHash)
        #expect(try AuditVerifier.verify(directory: f.audit)
            == .intact(records: UInt64(count), files: files.count, lastHash: trail.lastHash))
        // The commit recorded the last line, even when every line was written before it.
        let head = try String(contentsOfFile: f.audit + "/audit.head", encoding: .utf8)
        #expect(head.hasPrefix(#"{"seq":\#(count),"hash":"\#(trail.lastHash)""#))
        // What metrics see is what the records say.
        #expect(observed.map(\.effect) == records.map(\.effect))
        #expect(observed.map { Array($0.determining) } == records.map(\.determining))
        #expect(observed.map(\.generation) == records.map(\.generation))
        #expect(observed.map(\.evaluationNs) == records.map(\.evaluationNs))
    }

    @Test func noRingWithTheNoLogFlag() throws {
        let f = try LogFixture()
        let ix = try f.open(flags: UInt32(VIGIL_OPEN_NO_LOG))
        decide(ix, "alice", "view", "d1")
        var appended: UInt64 = 0
        #expect(vigil_log_stats(ix, &appended, nil) == VIGIL_E_NOT_FOUND)
        vigil_index_close(ix)
        #expect(try f.ringFiles().isEmpty)
    }

    /// Records written while no drainer ran, by a process that has since exited (`vigil authorize`), are
    /// drained when a drainer starts; a drain whose sink fails releases nothing, so a restarted drainer gets
    /// every record again.
    @Test func recordsWrittenWhileNobodyDrainedAreDrainedLater() throws {
        let f = try LogFixture()
        for principal in ["alice", "bob"] {
            let (status, output) = try LogFixture.vigil([
                "authorize", "--index", f.index, "--principal", "User::\"\(principal)\"",
                "--action", "Action::\"view\"", "--resource", "Doc::\"d1\"",
            ])
            #expect(status == 0, "\(output)")
        }
        #expect(try f.ringFiles().count == 2)

        struct SinkFailed: Error {}
        let first = try RingDrainer(directory: f.rings)
        #expect(throws: SinkFailed.self) { try first.drain(into: { _ in throw SinkFailed() }) }
        #expect(throws: SinkFailed.self) { try first.drain(into: { _ in }, commit: { throw SinkFailed() }) }
        let status = try first.status()
        #expect(status.map(\.lag) == [1, 1] && status.allSatisfy(\.writerGone))

        // While the first drainer holds the rings, another one skips them.
        let second = try RingDrainer(directory: f.rings)
        let skipped = try second.drain(into: { _ in Issue.record("drained a ring another drainer holds") })
        #expect(skipped.busy.count == 2 && skipped.records == 0)

        // "Restart": the first drainer goes away; a new one drains both rings and removes them.
        _ = consume first
        let restarted = try RingDrainer(directory: f.rings)
        var records: [DecisionRecord] = []
        let stats = try restarted.drain(into: { records.append($0) })
        #expect(stats.records == 2 && stats.removed.count == 2)
        #expect(Set(records.map(\.principal.id)) == ["alice", "bob"])
        #expect(Set(records.map(\.effect)) == [.allow, .deny])
        #expect(records.allSatisfy { $0.pid != UInt32(getpid()) })
        #expect(try f.ringFiles().isEmpty)
        _ = second
    }

    @Test func threadsDecidingWhileDrainingLoseNothing() async throws {
        let f = try LogFixture()
        let ix = try f.open()
        defer { vigil_index_close(ix) }
        let handle = Handle(ix: ix)
        let drainer = try RingDrainer(directory: f.rings)
        let perThread = 5000
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for i in 0..<perThread { decide(handle.ix, t % 2 == 0 ? "alice" : "bob", "view", "r\(t)-\(i)") }
                }
            }
            group.addTask {
                for _ in 0..<200 {
                    _ = try? drainer.drain(into: { counter.check($0) })
                    try? await Task.sleep(nanoseconds: 1_000_000)
                }
            }
        }
        _ = try drainer.drain(into: { counter.check($0) })
        var appended: UInt64 = 0, dropped: UInt64 = 0
        #expect(vigil_log_stats(ix, &appended, &dropped) == VIGIL_OK)
        #expect(appended + dropped == UInt64(4 * perThread))
        #expect(counter.value.records == Int(appended))
        #expect(counter.value.bad == 0)
    }
}

/// The C handle, shared across tasks as vigil.h allows.
struct Handle: @unchecked Sendable { let ix: OpaquePointer }

/// Counts drained records and those whose principal and effect do not belong to their resource's thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var records = 0, bad = 0
    private var seen = Set<String>()

    func check(_ r: DecisionRecord) {
        lock.lock()
        defer { lock.unlock() }
        records += 1
        let t = r.resource.id.dropFirst().prefix { $0 != "-" }
        let even = Int(t).map { $0 % 2 == 0 } ?? false
        let ok = r.principal.id == (even ? "alice" : "bob") && r.effect == (even ? .allow : .deny)
            && seen.insert(r.resource.id).inserted
        if !ok { bad += 1 }
    }

    var value: (records: Int, bad: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (records, bad)
    }
}
