import CVigil
import Foundation
import Synchronization

/// Where one ring stood after a drain.
public struct RingStatus: Sendable, Hashable {
    /// The ring file's name (it names the writing process).
    public var name: String
    public var pid: UInt32
    /// Records the writer appended since the ring was created.
    public var appended: UInt64
    /// Records the writer dropped because the ring was full: decisions that are not in the log.
    public var dropped: UInt64
    /// Records drained from this ring since it was created (by any drainer, across restarts).
    public var drained: UInt64
    /// Records appended but not drained yet.
    public var lag: UInt64 { appended &- drained }
    /// The writer closed its handle or exited: the ring is removed once drained.
    public var writerGone: Bool
}

/// What one `drain` call did.
public struct DrainStats: Sendable, Hashable {
    /// Records handed to the sink and released from their rings.
    public var records: Int = 0
    /// Every ring this drainer holds, after the drain (removed rings included, with their final counts).
    public var rings: [RingStatus] = []
    /// Rings removed because their writer was gone and they were fully drained.
    public var removed: [String] = []
    /// Slots skipped because a writer died between claiming and completing them (their records are lost).
    public var torn: Int = 0
    /// Ring files another consumer holds (skipped).
    public var busy: [String] = []
    /// Files named `*.ring` that are not (yet) readable rings, with why.
    public var unreadable: [String] = []
    /// Records this call appended to the trail whose sync is still under way (`overlapSync`): the next drain
    /// releases them and counts them in its `records`.
    public var inFlight: Int = 0
    /// Drops over every ring held.
    public var dropped: UInt64 { rings.reduce(0) { $0 &+ $1.dropped } }
    /// Records waiting over every ring held.
    public var lag: UInt64 { rings.reduce(0) { $0 &+ $1.lag } }
}

/// Drains the decision rings of every host process in a directory (libvigil's `VIGIL_RING_DIR` or
/// `<index>/rings`), oldest record first within each ring.
///
/// Usage, from a drain service:
/// ```swift
/// let drainer = try RingDrainer(directory: ringDir)
/// let trail = try AuditTrail(directory: auditDir)
/// let stats = try drainer.drain(into: trail)   // or drain(into: sink, commit: …) for other consumers
/// ```
/// Records are released from their rings only after `commit` returns, so a crash before the trail is durable
/// loses nothing: the records are drained again on the next start (at least once; `ring` + `position` identify
/// a record). Records written while no drainer ran stay in their rings (up to each ring's capacity, then the
/// writer counts drops) and are drained by the next `drain`. The drainer becomes each ring's only consumer
/// (a lock on the file); a ring another drainer holds is skipped.
///
/// Thread-safe: calls are serialized. Do not call `drain` from inside its own sink.
public final class RingDrainer: Sendable {
    /// The directory of ring files.
    public let directory: String
    private let state: Mutex<State>
    /// The drain path's formatting pipeline: used only while `state`'s lock is held (hence unchecked).
    private final class Pipeline: @unchecked Sendable {
        var lines = LinePipeline(maxRecords: RingDrainer.batch)
    }
    private let pipeline = Pipeline()

    private struct State: ~Copyable {
        var rings: [String: MappedRing] = [:]
        /// Per ring, records appended to the trail by an earlier pass and not released yet: their checkpoint is
        /// being synced. Reading continues after them.
        var inFlight: [String: UInt64] = [:]
        /// The checkpoint sync of the last pass that overlapped it, and what it will release.
        var syncing: PendingSync?
        /// Two batches' records and positions: one is read while the one before is still being formatted.
        let buffers: [UnsafeMutableBufferPointer<vigil_ring_record>]
        let positions: [UnsafeMutablePointer<UInt64>]

        init(batch: Int) {
            buffers = (0..<2).map { _ in .allocate(capacity: batch) }
            positions = (0..<2).map { _ in .allocate(capacity: batch) }
        }

        deinit {
            for b in buffers { b.deallocate() }
            for p in positions { p.deallocate() }
        }
    }

    /// A batch of records copied out of a ring, with their positions, the ring and the writer's pid. Only read,
    /// and only during the drain that made it (hence unchecked).
    private struct Batch: @unchecked Sendable {
        let records: UnsafeBufferPointer<vigil_ring_record>
        let positions: UnsafePointer<UInt64>
        let ring: MappedRing
        let pid: UInt32
    }

    /// Records copied from a ring per call of the C peek: about 512 KiB of records and as much of their lines, small
    /// enough to stay in the caches while they are formatted and chained.
    private static let batch = 1024

    /// A drainer for the rings in `directory`, which must exist.
    /// - Throws: `CocoaError` when the directory cannot be read.
    public init(directory: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: directory])
        }
        self.directory = directory
        state = Mutex(State(batch: Self.batch))
    }

    /// Drains every ring: hands each complete record to `sink`, oldest first per ring, then calls `commit`, then
    /// releases the records from their rings. Rings whose writer is gone are removed once fully drained.
    /// - Parameters:
    ///   - maxPerRing: the most records taken from one ring in this call (at most the ring's capacity), so one
    ///     busy process cannot starve the others.
    ///   - sink: receives each record. When it throws, nothing of this call is released (the records are drained
    ///     again next time) and the error is rethrown.
    ///   - commit: makes what the sink received durable (e.g. `AuditTrail.commit`); when it throws, likewise.
    /// - Returns: what was drained and where every ring stands.
    /// - Throws: what `sink` or `commit` threw, or `CocoaError` when the directory cannot be listed.
    @discardableResult
    public func drain(
        maxPerRing: Int = 1 << 16, into sink: (DecisionRecord) throws -> Void, commit: () throws -> Void = {}
    ) throws -> DrainStats {
        try withoutActuallyEscaping(commit) { commit in
            try drain(maxPerRing: maxPerRing, prepare: { $0 }, process: { b in
                for i in b.records.indices {
                    try sink(DecisionRecord(b.records[i], ring: b.ring.name, position: b.positions[i], pid: b.pid))
                }
            }, abandon: { _ in }, durability: .now(commit))
        }
    }

    /// The drain loop: reads each ring's complete records in batches, hands each batch to `prepare` as soon as it
    /// is read and to `process` once the batch before it is processed, so that a batch is prepared (formatted on
    /// another thread) while the one before is processed; then commits and releases. A prepared batch that will
    /// not be processed (something threw) goes to `abandon`.
    private func drain<Prepared: ~Copyable>(
        maxPerRing: Int,
        prepare: (Batch) throws -> Prepared,
        process: (consuming Prepared) throws -> Void,
        abandon: (consuming Prepared) -> Void,
        durability: Durability
    ) throws -> DrainStats {
        try state.withLock { state in
            var stats = DrainStats()
            try refresh(&state, &stats)
            var taken: [(ring: MappedRing, count: UInt64, gone: Bool)] = []
            var pending: Prepared? = nil
            defer { if let p = pending.take() { abandon(p) } }
            var slot = 0
            for (_, ring) in state.rings.sorted(by: { $0.key < $1.key }) {
                // Gone is decided before reading: a writer gone now appended everything it ever will.
                let gone = ring.writerGone
                let info = ring.info
                // Records of an earlier pass still being synced stay in the ring until released: read after them.
                let from = info.drained &+ state.inFlight[ring.name, default: 0]
                var count: UInt64 = 0
                while count < UInt64(maxPerRing) {
                    let room = min(Self.batch, maxPerRing - Int(count))
                    // The other buffer may still hold the batch being prepared: this one is free.
                    let buffer = UnsafeMutableBufferPointer(rebasing: state.buffers[slot][0..<room])
                    let n = ring.peek(from: from &+ count, into: buffer, positions: state.positions[slot])
                    if n > 0 {
                        let next = try prepare(Batch(records: UnsafeBufferPointer(rebasing: buffer[0..<n]),
                                                     positions: state.positions[slot], ring: ring, pid: info.pid))
                        let before = pending.take()
                        pending = consume next
                        if let before { try process(before) }
                        slot ^= 1
                    }
                    count += UInt64(n)
                    if n < room { break }
                }
                taken.append((ring, count, gone))
            }
            if let last = pending.take() { try process(last) }
            // The pass before, if its sync overlapped this one, is settled first: its records come before these.
            if let previous = state.syncing.take() {
                if let error = previous.wait() {
                    // Nothing after the failed checkpoint is released either: every ring is read again from its
                    // head next time (records already in the trail appear there twice, never zero times).
                    state.inFlight = [:]
                    throw error
                }
                Self.release(previous.counts, &state, &stats)
            }
            let counts = taken.filter { $0.count > 0 }.map { ($0.ring, $0.count) }
            switch durability {
            case .now(let commit):
                try commit()
                Self.release(counts, &state, &stats)
            case .overlapped(let trail):
                if let checkpoint = try trail.flush() {
                    state.syncing = PendingSync(trail: trail, checkpoint: checkpoint, counts: counts, on: Self.syncQueue)
                    for (ring, count) in counts { state.inFlight[ring.name, default: 0] += count }
                    stats.inFlight = counts.reduce(0) { $0 + Int($1.1) }
                } else {
                    Self.release(counts, &state, &stats)
                }
            }
            var removed: [MappedRing] = []
            for (ring, _, gone) in taken {
                let settled = state.inFlight[ring.name, default: 0] == 0
                if gone && settled {
                    while ring.info.drained < ring.info.appended && ring.skipStalled() { stats.torn += 1 }
                }
                let info = ring.info
                stats.rings.append(RingStatus(name: ring.name, pid: info.pid, appended: info.appended,
                                              dropped: info.dropped, drained: info.drained, writerGone: gone))
                if gone && settled && info.drained == info.appended {
                    ring.unlink()
                    state.rings[ring.name] = nil
                    state.inFlight[ring.name] = nil
                    stats.removed.append(ring.name)
                    removed.append(ring)
                }
            }
            taken.removeAll()
            Self.retire(consume removed)
            return stats
        }
    }

    /// Drains every ring into `trail`: appends each record, commits the trail (durably under its sync policy), then
    /// releases the records from their rings. A record is in the trail at least once, never dropped by a crash.
    /// Lines are formatted straight from the ring's bytes (no `DecisionRecord` is made).
    /// - Throws: `AuditTrailError` when the trail cannot be written (nothing is released), or `CocoaError` when
    ///   the directory cannot be listed.
    @discardableResult
    public func drain(into trail: AuditTrail, maxPerRing: Int = 1 << 16) throws -> DrainStats {
        var none: Void = ()
        return try drain(into: trail, maxPerRing: maxPerRing, tally: &none, observe: { _, _ in })
    }

    /// `drain(into:maxPerRing:)`, showing each record appended to `observe` (for metrics), in trail order, before
    /// the commit. What it counts goes into `tally`, passed along rather than captured: a record costs a call,
    /// not a heap box and its access checks.
    ///
    /// With `overlapSync`, the trail's sync (an `fsync` and `audit.head`) runs on another thread while the caller
    /// goes on, usually to the next drain, which waits for it and only then releases these records (counted in
    /// its `records`; this call's `inFlight` says how many wait). A drain without `overlapSync` settles
    /// everything before it returns: end with one. Records are still released only once durable; when a sync
    /// fails, the next drain throws its error and reads every ring again from its head.
    @discardableResult
    public func drain<Tally>(into trail: AuditTrail, maxPerRing: Int = 1 << 16, overlapSync: Bool = false,
                             tally: inout Tally,
                             observe: (inout Tally, DrainedDecision) -> Void) throws -> DrainStats {
        let pipeline = pipeline
        return try drain(maxPerRing: maxPerRing, prepare: { b in
            pipeline.lines.start(RingBatch(records: b.records, positions: b.positions, ring: b.ring.nameJSON))
        }, process: { started in
            let records = started.records
            try started.finish { lines, range in
                try trail.append(formatted: lines)
                for i in range { observe(&tally, DrainedDecision(records.baseAddress! + i)) }
            }
        }, abandon: { $0.abandon() }, durability: overlapSync ? .overlapped(trail) : .now({ try trail.commit() }))
    }

    /// Gives records back to their rings' writers, now that the trail holds them durably.
    private static func release(_ counts: [(MappedRing, UInt64)], _ state: inout State, _ stats: inout DrainStats) {
        for (ring, count) in counts {
            if !ring.release(count) { stats.unreadable.append(ring.name + ": release refused") }
            stats.records += Int(count)
            if let n = state.inFlight[ring.name] { state.inFlight[ring.name] = n > count ? n - count : nil }
        }
    }

    /// How a pass's records become durable before they are released.
    private enum Durability {
        /// `commit` makes them durable, then they are released, before the drain returns.
        case now(() throws -> Void)
        /// The trail's checkpoint is synced on `syncQueue` while the caller goes on (usually to the next pass);
        /// the next drain waits for it and releases the records.
        case overlapped(AuditTrail)
    }

    /// Checkpoint syncs, one at a time in pass order (`AuditTrail.sync`'s rule).
    private static let syncQueue = DispatchQueue(label: "vigil.audit-sync")

    /// A checkpoint being synced, and the records it releases once synced.
    private final class PendingSync: @unchecked Sendable {
        // Unchecked: `counts` is only read by the drain, under its lock; `error` is written by the sync before
        // it signals `done` and read after waiting for it.
        let counts: [(MappedRing, UInt64)]
        private let done = DispatchSemaphore(value: 0)
        private var error: (any Error)?

        init(trail: AuditTrail, checkpoint: consuming AuditTrail.Checkpoint, counts: [(MappedRing, UInt64)],
             on queue: DispatchQueue) {
            self.counts = counts
            let box = CheckpointBox(checkpoint)
            queue.async { [self] in
                do { try trail.sync(box.take()) } catch { self.error = error }
                done.signal()
            }
        }

        /// Waits for the sync; the error it threw, if any.
        func wait() -> (any Error)? {
            done.wait()
            return error
        }
    }

    /// Carries a checkpoint (non-copyable) into the sync's closure.
    private final class CheckpointBox: @unchecked Sendable {
        // Unchecked: taken once, by the one closure it is handed to.
        private var checkpoint: AuditTrail.Checkpoint?
        init(_ checkpoint: consuming AuditTrail.Checkpoint) { self.checkpoint = consume checkpoint }
        func take() -> AuditTrail.Checkpoint { checkpoint.take()! }
    }

    /// Unmaps removed rings off the drain path: with the file gone, unmapping frees the ring's memory (128 MiB
    /// for 262,144 records), tens of milliseconds a ring.
    private static func retire(_ rings: [MappedRing]) {
        guard !rings.isEmpty else { return }
        // Unchecked: the drainer holds no other reference to these rings.
        struct Retired: @unchecked Sendable { let rings: [MappedRing] }
        let retired = Retired(rings: rings)
        teardown.async { withExtendedLifetime(retired) {} }
    }

    private static let teardown = DispatchQueue(label: "vigil.ring-teardown", qos: .utility)

    /// Where every ring stands now, without draining.
    public func status() throws -> [RingStatus] {
        try state.withLock { state in
            var stats = DrainStats()
            try refresh(&state, &stats)
            return state.rings.keys.sorted().compactMap { name in
                guard let ring = state.rings[name] else { return nil }
                let info = ring.info
                return RingStatus(name: name, pid: info.pid, appended: info.appended, dropped: info.dropped,
                                  drained: info.drained, writerGone: ring.writerGone)
            }
        }
    }

    /// Opens ring files that appeared since the last call and forgets those removed by someone else.
    private func refresh(_ state: inout State, _ stats: inout DrainStats) throws {
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".ring") })
        for name in state.rings.keys where !names.contains(name) { state.rings[name] = nil }
        for name in names where state.rings[name] == nil {
            do {
                state.rings[name] = try MappedRing(directory: directory, name: name)
            } catch .busy {
                stats.busy.append(name)
            } catch .notReady {
                stats.unreadable.append(name + ": not a ring (yet)")
            } catch .io(let why) {
                stats.unreadable.append(why)
            }
        }
    }
}
