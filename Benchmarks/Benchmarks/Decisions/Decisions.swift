// Decisions through libvigil's C ABI on the SaaS workload (10k users, 100k documents, 42 policies), plus
// compiling and publishing the whole set and durable single-entity updates. Run from Benchmarks/:
// `swift package benchmark --target Decisions` (../bench-results/README.md has the exact commands and results).
//
// Every decision is checked against the effect recorded for its request in setup; a difference stops the run.
import Benchmark
import CVigil
import Foundation
import VigilCompiler
import VigilData
import VigilPolicy

/// One decision of `buffer`, the next in its cycle, checked against the expected effect.
@inline(__always)
func decideNext(_ ix: OpaquePointer, _ buffer: RequestBuffer) {
    let i = buffer.cursor
    let status = vigil_decide(ix, buffer.requests + i, buffer.result)
    if status != VIGIL_OK || buffer.result.pointee.effect != buffer.expected[i] {
        fail("request \(i) decided differently")
    }
    buffer.cursor = i + 1 == buffer.count ? 0 : i + 1
}

/// The next batch of `b`, each pair checked against the effect recorded for it.
@inline(__always)
func decideBatch(_ ix: OpaquePointer, _ b: BatchBuffer) {
    let n = BatchBuffer.size
    let first = b.cursor * n
    let status = vigil_decide_batch(ix, b.base + b.cursor, n, b.pairs + first, b.pairs + first, b.results)
    if status != VIGIL_OK { fail("batch \(b.cursor): status \(status)") }
    for k in 0..<n where b.results[k].effect != b.expected[first + k] {
        fail("batch \(b.cursor) decided differently")
    }
    b.cursor = b.cursor + 1 == b.count ? 0 : b.cursor + 1
}

let benchmarks: @Sendable () -> Void = {
    // One iteration is one decision, so the percentiles are per decision. The built-in warm-up iterations make
    // the thread's first decision (its one allocation) before measuring.
    let perDecision = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        maxDuration: .seconds(10),
        maxIterations: 1_000_000
    )
    Benchmark("Decide, Zipf mix (one decision)", configuration: perDecision) { _ in
        decideNext(Workload.shared.handle, Workload.shared.zipf)
    } setup: {
        _ = Workload.shared
    }
    // The decision log's cost: the same requests on a handle that appends every decision to its ring. Mallocs are
    // not counted here: the interposer counts every thread's, and the draining thread allocates records.
    var logged = perDecision
    logged.metrics = [.wallClock, .throughput]
    Benchmark("Decide, Zipf mix, decision log on (one decision)", configuration: logged) { _ in
        decideNext(Workload.shared.loggingHandle, Workload.shared.zipfLogged)
    } setup: {
        Workload.shared.ringConsumer.start()
    } teardown: {
        Workload.shared.ringConsumer.stop()
    }
    Benchmark("Decide, uniform mix (one decision)", configuration: perDecision) { _ in
        decideNext(Workload.shared.handle, Workload.shared.uniform)
    } setup: {
        _ = Workload.shared
    }

    // Batches: one iteration is one vigil_decide_batch call of 32 pairs.
    let perBatch = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .nanoseconds, warmupIterations: 100,
        maxDuration: .seconds(10), maxIterations: 300_000)
    Benchmark("Decide a batch of 32 field checks: a page of 8 documents x 4 actions", configuration: perBatch) { _ in
        decideBatch(Workload.shared.handle, Workload.shared.pageBatches)
    } setup: {
        _ = Workload.shared
    }
    Benchmark("Decide a batch of 32 unrelated checks (32 documents)", configuration: perBatch) { _ in
        decideBatch(Workload.shared.handle, Workload.shared.batches)
    } setup: {
        _ = Workload.shared
    }

    Benchmark(
        "Compile and publish 100k documents (120k entities)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                             timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(30),
                             maxIterations: 10)
    ) { _ in
        let w = Workload.shared
        do {
            let compiled = try Compiler(policies: w.policies, entities: w.entities, schema: w.schema).compile()
            let writer = try IndexWriter(directory: w.scratch)
            _ = try writer.publish(compiled)
            writer.close()
            if compiled.entities.count != w.compiled.entities.count { fail("compiled a different entity count") }
        } catch { fail("compile and publish: \(error)") }
    } setup: {
        _ = Workload.shared
    }

    // The compile step alone, to see how the time above splits between compiling and writing.
    Benchmark(
        "Compile 100k documents (120k entities), no publish",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .milliseconds,
                             warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 10)
    ) { _ in
        let w = Workload.shared
        do {
            let compiled = try Compiler(policies: w.policies, entities: w.entities, schema: w.schema).compile()
            if compiled.entities.count != w.compiled.entities.count { fail("compiled a different entity count") }
        } catch { fail("compile: \(error)") }
    } setup: {
        _ = Workload.shared
    }

    Benchmark(
        "Update one entity, committed durably",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .microseconds,
                             warmupIterations: 10, maxDuration: .seconds(10), maxIterations: 2_000)
    ) { _ in
        // Documents have no descendants, so replacing one (attributes and parents) is an incremental change.
        let w = Workload.shared
        let u = UpdateWriter.shared
        u.count += 1
        var document = w.entities[w.entities.count - 1 - (u.count % w.documentCount)]
        document.attributes["deleted"] = .bool(u.count % 2 == 0)
        do {
            try u.writer.apply([.upsertEntity(document)])
        } catch { fail("update: \(error)") }
    } setup: {
        _ = UpdateWriter.shared
    }
}

/// A writer on its own published copy of the index, kept open across update iterations as a sidecar would.
final class UpdateWriter: @unchecked Sendable {
    static let shared = UpdateWriter()
    let writer: IndexWriter
    /// Updates made so far: picks the document and the value.
    var count = 0
    private init() {
        let w = Workload.shared
        do {
            writer = try IndexWriter(directory: w.scratch + "-updates")
            _ = try writer.publish(w.compiled)
        } catch { fail("update writer: \(error)") }
    }
}
