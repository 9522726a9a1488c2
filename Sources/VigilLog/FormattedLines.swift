import CVigil
import Foundation
import Synchronization

/// The payloads of consecutive trail lines (each record's fields, `RingRecordFormatter`), formatted and hashed
/// ahead of chaining: a line is `{` + payload + the chain's fields, and the payload needs neither the chain nor
/// the trail's lock, so it is made, and fed to the line's SHA-256, on another core while the trail chains the
/// lines before (`LinePipeline`). Reused from batch to batch.
final class FormattedLines: @unchecked Sendable {
    // Unchecked: one thread at a time uses it, handed over through `LinePipeline`'s release/acquire flags.
    private(set) var bytes = JSONBytes(capacity: 1 << 17)
    /// Where each payload ends in `bytes` (it starts where the one before ends).
    private(set) var ends: [Int] = []
    /// Each line's hash so far, having seen `{` and the payload; taken (once) by the trail to finish it.
    private var hashers: [ChainHasher] = []
    private var formatter = RingRecordFormatter()

    init(capacity: Int) {
        ends.reserveCapacity(capacity)
        hashers.reserveCapacity(capacity)
    }

    /// Replaces the contents with the payloads of `batch.records[range]`.
    func format(_ batch: RingBatch, _ range: Range<Int>) {
        bytes.removeAll()
        ends.removeAll(keepingCapacity: true)
        hashers.removeAll(keepingCapacity: true)
        for i in range {
            let start = bytes.count
            formatter.appendFields(batch.records.baseAddress! + i, ring: batch.ring, position: batch.positions[i],
                                   to: &bytes)
            ends.append(bytes.count)
            var hasher = ChainHasher()
            hasher.update(byte: UInt8(ascii: "{"))
            hasher.update(UnsafeRawBufferPointer(rebasing: bytes.buffer[start...]))
            hashers.append(hasher)
        }
    }

    /// Line `k`'s hash so far.
    func hasher(_ k: Int) -> ChainHasher { hashers[k] }
}

/// Records copied out of one ring, with what their lines need: the pointers are only read, and only while the
/// drain that owns them runs (hence unchecked).
struct RingBatch: @unchecked Sendable {
    let records: UnsafeBufferPointer<vigil_ring_record>
    let positions: UnsafePointer<UInt64>
    /// The ring's name as a JSON string, quotes included.
    let ring: UnsafeRawBufferPointer
}

/// Formats batches of ring records in parts of `partSize` on a helper thread (one of Dispatch's pool) while the
/// caller chains them: the chain's fields are serial, the formatting (and most of each line's SHA-256) is not, so
/// on two cores a drain costs about the larger of the two rather than their sum.
///
/// `start` hands a batch to the helper at once; `finish` hands its parts, in order, to be chained. Two batches
/// may be in flight, so the caller starts batch k+1 before finishing batch k, and the helper formats one while
/// the caller chains the other. Parts are claimed from a shared counter: the caller never waits for a helper that
/// has not started, it formats unclaimed parts itself and waits only for a part the helper is formatting then.
struct LinePipeline: ~Copyable {
    static let partSize = 128
    /// Two sets of parts, used by batches in turn; each holds a batch of up to `RingDrainer.batch` records.
    private let slots: [[FormattedLines]]
    private var nextSlot = 0

    /// A batch handed to the helper: finish it (or abandon it) before starting the batch after next.
    struct Started: ~Copyable {
        fileprivate let batch: RingBatch
        fileprivate let parts: [FormattedLines]
        /// nil for a batch of one part, formatted by the caller in `finish`.
        fileprivate let claims: Claims?

        /// The batch's records.
        var records: UnsafeBufferPointer<vigil_ring_record> { batch.records }

        /// Calls `chain` with each part, in order.
        consuming func finish(chain: (FormattedLines, Range<Int>) throws -> Void) rethrows {
            let count = batch.records.count
            guard let claims else {
                if count > 0 {
                    parts[0].format(batch, 0..<count)
                    try chain(parts[0], 0..<count)
                }
                return
            }
            // When `chain` throws, the batch ends early: no part may be written once this returns (a later batch
            // reuses them), so the unclaimed parts are withdrawn and the one the helper is formatting is waited
            // for.
            defer { claims.closeAndWait() }
            for k in 0..<claims.parts {
                while !claims.isFinished(k) {
                    if let j = claims.claim() {
                        parts[j].format(batch, LinePipeline.range(j, count))
                        claims.finish(j)
                    } else {
                        sched_yield()   // the helper is formatting part k now
                    }
                }
                try chain(parts[k], LinePipeline.range(k, count))
            }
            // Every part is finished: the helper touches no part again (its next claim fails) and may outlive
            // this call harmlessly, holding only `claims`, which no later batch shares.
        }

        /// Gives the batch up: once this returns, the helper writes none of its parts any more.
        consuming func abandon() {
            claims?.closeAndWait()
        }
    }

    init(maxRecords: Int) {
        let n = max(1, (maxRecords + Self.partSize - 1) / Self.partSize)
        slots = (0..<2).map { _ in (0..<n).map { _ in FormattedLines(capacity: Self.partSize) } }
    }

    /// Starts formatting `batch` on the helper.
    mutating func start(_ batch: RingBatch) -> Started {
        let parts = slots[nextSlot]
        nextSlot ^= 1
        let count = batch.records.count
        let n = min(parts.count, (count + Self.partSize - 1) / Self.partSize)
        guard n > 1 else { return Started(batch: batch, parts: parts, claims: nil) }
        let claims = Claims(parts: n)
        DispatchQueue.global().async {
            while let k = claims.claim() {
                parts[k].format(batch, Self.range(k, count))
                claims.finish(k)
            }
        }
        return Started(batch: batch, parts: parts, claims: claims)
    }

    /// The records of part `k` of a batch of `count`.
    fileprivate static func range(_ k: Int, _ count: Int) -> Range<Int> {
        k * partSize..<min(count, (k + 1) * partSize)
    }

    /// One batch's claims: the next unclaimed part, and which parts are formatted.
    fileprivate final class Claims: Sendable {
        private let next = Atomic<Int>(0)
        private let finished = Atomic<UInt64>(0)
        let parts: Int

        init(parts: Int) {
            precondition(parts <= 64, "a batch is at most 64 parts")
            self.parts = parts
        }

        func claim() -> Int? {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            return k < parts ? k : nil
        }

        func finish(_ k: Int) { finished.bitwiseOr(1 << UInt64(k), ordering: .releasing) }

        func isFinished(_ k: Int) -> Bool { finished.load(ordering: .acquiring) & (1 << UInt64(k)) != 0 }

        /// Lets no part be claimed any more, then waits until every part claimed so far is finished.
        func closeAndWait() {
            let claimed = min(next.exchange(parts, ordering: .relaxed), parts)
            let all: UInt64 = claimed == 64 ? .max : (1 << UInt64(claimed)) - 1
            while finished.load(ordering: .acquiring) & all != all { sched_yield() }
        }
    }
}
