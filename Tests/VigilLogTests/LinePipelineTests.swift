import CVigil
import TestSupport
import Testing
@testable import VigilLog

/// The pipeline hands every part, in order, formatted exactly as one thread formats the whole batch.
@Suite struct LinePipelineTests {
    @Test(arguments: [0, 1, 255, 256, 257, 511, 512, 513, 3000, 4096])
    func partsComeInOrderAndMatchOneThread(_ count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let records = (0..<count).map { i in
            RingRecordFormatterTests.record(
                texts: [Array("User".utf8), Array("u-\(rng.next() % 1000)".utf8), Array("Action".utf8),
                        Array("view".utf8), Array("Doc".utf8), Array("d-\(i)".utf8), i % 2 == 0 ? Array("s".utf8) : []],
                time: 1_767_268_800_000_000_000 + Int64(i) * 1_000_000, effect: Int32(rng.next() % 3))
        }
        let positions = (0..<count).map { UInt64($0) + 1000 }
        var ringJSON = JSONBytes()
        ringJSON.string(RingRecordFormatterTests.ring)
        var expected = JSONBytes()
        var formatter = RingRecordFormatter()
        for i in 0..<count {
            withUnsafePointer(to: records[i]) {
                formatter.appendFields($0, ring: ringJSON.buffer, position: positions[i], to: &expected)
            }
            expected.byte(0x0A)
        }

        var pipeline = LinePipeline(maxRecords: 4096)
        var got = JSONBytes()
        var ranges: [Range<Int>] = []
        var badHashes = 0
        records.withUnsafeBufferPointer { r in
            positions.withUnsafeBufferPointer { p in
                let batch = RingBatch(records: r, positions: p.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                      ring: ringJSON.buffer)
                // Twice: parts are reused from batch to batch.
                for round in 0..<2 {
                    pipeline.start(batch).finish { lines, range in
                        if round == 1 {
                            ranges.append(range)
                            var start = 0
                            for (k, end) in lines.ends.enumerated() {
                                let payload = UnsafeRawBufferPointer(rebasing: lines.bytes.buffer[start..<end])
                                got.bytes(payload)
                                got.byte(0x0A)
                                // Each line's hash so far has seen exactly `{` and the payload.
                                var line = JSONBytes()
                                line.byte(UInt8(ascii: "{"))
                                line.bytes(payload)
                                if finishedHex(lines.hasher(k)) != referenceSHA256Hex(line.buffer) { badHashes += 1 }
                                start = end
                            }
                        }
                    }
                }
            }
        }
        #expect(got.text == expected.text)
        #expect(badHashes == 0)
        #expect(ranges.map(\.lowerBound) == Array(stride(from: 0, to: count, by: LinePipeline.partSize)))
        #expect(ranges.last?.upperBound ?? 0 == count)
    }

    /// A chain that fails ends the batch; the next batch through the same pipeline still comes out right (no
    /// part of the failed batch is written after `finish` returned).
    @Test func aFailingChainLeavesNoPartBehind() {
        struct Stop: Error {}
        let count = 4096
        let records = (0..<count).map { i in
            RingRecordFormatterTests.record(time: 1_767_268_800_000_000_000 + Int64(i))
        }
        let positions = (0..<count).map { UInt64($0) }
        var ringJSON = JSONBytes()
        ringJSON.string(RingRecordFormatterTests.ring)
        var pipeline = LinePipeline(maxRecords: count)
        records.withUnsafeBufferPointer { r in
            positions.withUnsafeBufferPointer { p in
                let batch = RingBatch(records: r, positions: p.baseAddress!, ring: ringJSON.buffer)
                for _ in 0..<20 {
                    #expect(throws: Stop.self) { try pipeline.start(batch).finish { _, range in
                        if range.lowerBound >= 2 * LinePipeline.partSize { throw Stop() }
                    } }
                    var lines = 0
                    var firstPositions: [Int] = []
                    pipeline.start(batch).finish { part, range in
                        lines += part.ends.count
                        let text = String(decoding: UnsafeRawBufferPointer(rebasing: part.bytes.buffer[0..<part.ends[0]]),
                                          as: UTF8.self)
                        if text.contains("\"pos\":\(range.lowerBound),") { firstPositions.append(range.lowerBound) }
                    }
                    #expect(lines == count)
                    #expect(firstPositions == Array(stride(from: 0, to: count, by: LinePipeline.partSize)))
                }
            }
        }
    }

    /// The drain's lookahead: batch k+1 is started before batch k is finished. Each comes out as one thread
    /// formats it alone, and a started batch that is abandoned leaves nothing behind in the parts reused later.
    @Test func twoBatchesInFlight() {
        let count = 1024
        func records(_ salt: Int) -> [vigil_ring_record] {
            (0..<count).map { i in
                RingRecordFormatterTests.record(
                    texts: [Array("User".utf8), Array("u\(salt)-\(i)".utf8), Array("Action".utf8), Array("view".utf8),
                            Array("Doc".utf8), Array("d\(salt)-\(i)".utf8), []],
                    time: 1_767_268_800_000_000_000 + Int64(i))
            }
        }
        let batches = (0..<6).map(records)
        let positions = (0..<count).map { UInt64($0) }
        var ringJSON = JSONBytes()
        ringJSON.string(RingRecordFormatterTests.ring)
        func expected(_ r: [vigil_ring_record]) -> String {
            var out = JSONBytes()
            var formatter = RingRecordFormatter()
            for (i, record) in r.enumerated() {
                withUnsafePointer(to: record) { formatter.appendFields($0, ring: ringJSON.buffer, position: UInt64(i), to: &out) }
                out.byte(0x0A)
            }
            return out.text
        }
        func collect(_ started: consuming LinePipeline.Started) -> String {
            var out = JSONBytes()
            started.finish { lines, _ in
                var start = 0
                for end in lines.ends {
                    out.bytes(UnsafeRawBufferPointer(rebasing: lines.bytes.buffer[start..<end]))
                    out.byte(0x0A)
                    start = end
                }
            }
            return out.text
        }
        var pipeline = LinePipeline(maxRecords: count)
        var got: [String] = []
        positions.withUnsafeBufferPointer { p in
            let rb = batches.map { b -> UnsafeBufferPointer<vigil_ring_record> in
                let copy = UnsafeMutableBufferPointer<vigil_ring_record>.allocate(capacity: b.count)
                _ = copy.initialize(from: b)
                return UnsafeBufferPointer(copy)
            }
            defer { for b in rb { b.deallocate() } }
            func batch(_ k: Int) -> RingBatch { RingBatch(records: rb[k], positions: p.baseAddress!, ring: ringJSON.buffer) }
            var previous = pipeline.start(batch(0))
            for k in 1..<4 {
                let next = pipeline.start(batch(k))
                got.append(collect(previous))
                previous = next
            }
            got.append(collect(previous))
            // Started, then given up while the next one is already in flight.
            let dropped = pipeline.start(batch(4))
            let last = pipeline.start(batch(5))
            dropped.abandon()
            got.append(collect(last))
            got.append(collect(pipeline.start(batch(0))))
        }
        #expect(got == [0, 1, 2, 3, 5, 0].map { expected(batches[$0]) })
    }
}
