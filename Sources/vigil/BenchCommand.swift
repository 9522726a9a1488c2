import ArgumentParser
import CVigil
import Dispatch
import Foundation
import VigilCompiler
import VigilPolicy

/// `vigil bench`: measure decisions on your own index and requests, through the C ABI hosts use.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure decision latency and throughput on an index, through libvigil's C ABI.",
        discussion: """
            Decides the requests of a JSON Lines file (the format of `vigil authorize --requests`) over and over, \
            timing every call of vigil_decide, the function host processes call. Each thread opens nothing of its \
            own: all share one handle, as hosts do. Prints percentiles (p50, p90, p99, p99.9, max), throughput, the \
            decisions' effects and a latency histogram.

            The requests are prepared before timing starts (strings in stable buffers), so the figures are \
            libvigil's alone. On a shared or busy machine compare runs, not absolute times.

            Example:
              vigil bench --index /tmp/acme.index --requests requests.jsonl --threads 2 --decisions 2000000
            """)

    @Option(help: ArgumentHelp("The index directory.", valueName: "dir"))
    var index: String

    @Option(help: ArgumentHelp("Requests, one JSON object a line.", valueName: "file"))
    var requests: String

    @Option(help: "Threads deciding at once.")
    var threads: Int = 1

    @Option(help: "Decisions to time in all (the requests are repeated in order).")
    var decisions: Int = 1_000_000

    @Option(help: "Untimed decisions per thread first, to warm caches.")
    var warmup: Int = 10_000

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be 1…256") }
        guard decisions >= threads else { throw ValidationError("--decisions must be at least --threads") }
    }

    func run() throws {
        let lines: [SourceFile]
        do { lines = try RequestLines.read(requests) } catch {
            FileHandle.standardError.write(Data("vigil bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let parsed = try lines.map { try RequestLines.parse($0, schema: nil) }
        guard !parsed.isEmpty else { throw ValidationError("`\(requests)` holds no request") }
        let prepared = PreparedRequests(parsed)

        var handle: OpaquePointer?
        let rc = vigil_index_open(index, 0, &handle)
        guard rc == VIGIL_OK, let ix = handle else {
            FileHandle.standardError.write(Data("vigil bench: \(String(cString: vigil_strerror(rc)))\n".utf8))
            throw ExitCode(2)
        }
        defer { vigil_index_close(ix) }

        let perThread = decisions / threads
        let samples = LatencySamples(threads: threads, perThread: perThread)
        let shared = SharedHandle(ix: ix)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            samples.record(thread: t, shared.ix, prepared, warmup: warmup)
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        samples.report(total: perThread * threads, distinct: parsed.count, threads: threads, wallSeconds: wall)
        if samples.failures > 0 {
            FileHandle.standardError.write(Data("vigil bench: \(samples.failures) decisions returned an error status\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// libvigil's handle, which vigil.h documents as safe to share across threads.
struct SharedHandle: @unchecked Sendable {
    let ix: OpaquePointer
}

/// Requests laid out for C: every string in one buffer that never moves, and `vigil_request` structs pointing
/// into it, so timing measures `vigil_decide` and nothing of Swift.
final class PreparedRequests: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    let requests: [vigil_request]

    init(_ list: [Request]) {
        var bytes: [UInt8] = []
        var spans: [[(Int, Int)]] = []
        for r in list {
            var fields: [(Int, Int)] = []
            for s in [r.principal.type.description, r.principal.id, r.action.type.description, r.action.id,
                      r.resource.type.description, r.resource.id, r.contextJSON ?? "", r.sessionID ?? ""] {
                fields.append((bytes.count, s.utf8.count))
                bytes += s.utf8
            }
            spans.append(fields)
        }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
        storage.copyBytes(from: bytes)
        let base = storage.baseAddress!.assumingMemoryBound(to: CChar.self)
        requests = zip(list, spans).map { r, f in
            func p(_ i: Int) -> UnsafePointer<CChar> { UnsafePointer(base + f[i].0) }
            var c = vigil_request()
            (c.principal_type, c.principal_type_len) = (p(0), f[0].1)
            (c.principal_id, c.principal_id_len) = (p(1), f[1].1)
            (c.action_type, c.action_type_len) = (p(2), f[2].1)
            (c.action_id, c.action_id_len) = (p(3), f[3].1)
            (c.resource_type, c.resource_type_len) = (p(4), f[4].1)
            (c.resource_id, c.resource_id_len) = (p(5), f[5].1)
            if r.contextJSON != nil { (c.context_json, c.context_json_len) = (p(6), f[6].1) }
            if r.sessionID != nil { (c.session_id, c.session_id_len) = (p(7), f[7].1) }
            return c
        }
    }

    deinit { storage.deallocate() }
}

/// Per-thread latency arrays, filled without locks (each thread owns its slice), and the report.
final class LatencySamples: @unchecked Sendable {
    private var nanos: [[UInt64]]
    private var effects: [[Int]]
    private var errors: [Int]
    private let perThread: Int

    init(threads: Int, perThread: Int) {
        self.perThread = perThread
        nanos = Array(repeating: [], count: threads)
        effects = Array(repeating: [0, 0, 0], count: threads)
        errors = Array(repeating: 0, count: threads)
    }

    var failures: Int { errors.reduce(0, +) }

    func record(thread t: Int, _ ix: OpaquePointer, _ prepared: PreparedRequests, warmup: Int) {
        var mine = [UInt64](repeating: 0, count: perThread)
        var counts = [0, 0, 0]
        var failed = 0
        var result = vigil_result()
        let n = prepared.requests.count
        prepared.requests.withUnsafeBufferPointer { reqs in
            for i in 0..<warmup { _ = vigil_decide(ix, reqs.baseAddress! + ((i + t) % n), &result) }
            var ts0 = timespec(), ts1 = timespec()
            for i in 0..<perThread {
                let req = reqs.baseAddress! + ((i * 7 + t) % n)
                clock_gettime(CLOCK_MONOTONIC, &ts0)
                let rc = vigil_decide(ix, req, &result)
                clock_gettime(CLOCK_MONOTONIC, &ts1)
                mine[i] = UInt64((ts1.tv_sec - ts0.tv_sec) * 1_000_000_000 + (ts1.tv_nsec - ts0.tv_nsec))
                if rc != VIGIL_OK { failed += 1 }
                counts[Int(max(0, min(2, result.effect)))] += 1
            }
        }
        nanos[t] = mine
        effects[t] = counts
        errors[t] = failed
    }

    func report(total: Int, distinct: Int, threads: Int, wallSeconds: Double) {
        let all = nanos.flatMap { $0 }.sorted()
        func pct(_ p: Double) -> Double { Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1000 }
        let counts = effects.reduce([0, 0, 0]) { [$0[0] + $1[0], $0[1] + $1[1], $0[2] + $1[2]] }
        func share(_ n: Int) -> String { String(format: "%.1f%%", 100 * Double(n) / Double(max(1, total))) }
        print("vigil bench: \(total) decisions of \(distinct) distinct requests, \(threads) thread\(threads == 1 ? "" : "s"), \(String(format: "%.2f", wallSeconds)) s")
        print(String(format: "throughput: %.0f decisions/s", Double(total) / wallSeconds))
        print(String(format: "latency (µs): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.1f",
                     pct(0.5), pct(0.9), pct(0.99), pct(0.999), Double(all.last ?? 0) / 1000))
        print("effects: allow \(share(counts[1])), deny \(share(counts[0])), step_up \(share(counts[2]))")
        // Powers-of-two buckets from 0.25 µs; the bar is scaled to the fullest bucket.
        var buckets = [Int](repeating: 0, count: 16)
        for ns in all {
            var b = 0
            var edge: UInt64 = 250
            while ns >= edge, b < buckets.count - 1 { b += 1; edge *= 2 }
            buckets[b] += 1
        }
        let fullest = max(1, buckets.max() ?? 1)
        print("histogram (µs):")
        var lo = 0.0, hi = 0.25
        for (b, n) in buckets.enumerated() {
            if n > 0 {
                let label = b == buckets.count - 1 ? String(format: "≥ %g", lo) : String(format: "[%g, %g)", lo, hi)
                let bar = String(repeating: "#", count: Int((40.0 * Double(n) / Double(fullest)).rounded(.up)))
                print("  \(label.padding(toLength: 14, withPad: " ", startingAt: 0)) \(bar.padding(toLength: 40, withPad: " ", startingAt: 0)) \(share(n))")
            }
            lo = hi
            hi *= 2
        }
    }
}
