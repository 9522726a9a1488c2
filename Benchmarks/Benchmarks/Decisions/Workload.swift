// The SaaS workload, generated, compiled and published once per benchmark process, and its requests laid out for
// the C ABI.
import CVigil
import Foundation
import SaaSWorkload
import Synchronization
import VigilCompiler
import VigilData
import VigilLog
import VigilPolicy
import VigilSchema

/// Stops the benchmark run: a wrong decision or a failed setup must never be reported as a timing.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("Decisions: \(message)\n".utf8))
    exit(1)
}

/// Requests as `vigil_request` structs whose strings live in one allocation made here, so that deciding them
/// allocates nothing in Swift; the effect each one must get, and a cursor.
final class RequestBuffer: @unchecked Sendable {
    let requests: UnsafeMutablePointer<vigil_request>
    let expected: UnsafeMutablePointer<Int32>
    let count: Int
    /// The next request to decide; the benchmarks cycle through all of them.
    var cursor = 0
    /// Reused by every decision.
    let result = UnsafeMutablePointer<vigil_result>.allocate(capacity: 1)
    private let bytes: UnsafeMutablePointer<CChar>

    /// Lays out the requests (principal `User`, action `Action`).
    init(_ list: [SaaSWorkload.Request]) {
        count = list.count
        requests = .allocate(capacity: max(1, count))
        expected = .allocate(capacity: max(1, count))
        var strings: [String] = ["User", "Action"]
        for r in list { strings += [r.principal, r.action, r.resource.type, r.resource.id, r.contextJSON] }
        let total = strings.reduce(0) { $0 + $1.utf8.count }
        bytes = .allocate(capacity: max(1, total))
        var offset = 0
        var slices: [(UnsafePointer<CChar>, Int)] = []
        slices.reserveCapacity(strings.count)
        for s in strings {
            let n = s.utf8.count
            s.utf8.withContiguousStorageIfAvailable { src in
                UnsafeMutableRawPointer(bytes + offset).copyMemory(from: src.baseAddress!, byteCount: n)
            } ?? { fail("string without contiguous UTF-8") }()
            slices.append((UnsafePointer(bytes + offset), n))
            offset += n
        }
        let (user, action) = (slices[0], slices[1])
        for i in 0..<count {
            let s = slices[2 + 5 * i ..< 7 + 5 * i].map { $0 }
            var r = vigil_request()
            (r.principal_type, r.principal_type_len) = user
            (r.principal_id, r.principal_id_len) = s[0]
            (r.action_type, r.action_type_len) = action
            (r.action_id, r.action_id_len) = s[1]
            (r.resource_type, r.resource_type_len) = s[2]
            (r.resource_id, r.resource_id_len) = s[3]
            (r.context_json, r.context_json_len) = s[4]
            // A fixed decision time: no clock read, and the same answers on every run.
            r.now_ms = 1_767_268_800_000
            requests[i] = r
        }
    }

    /// Decides every request once through `vigil_decide` and records the effects as the expected ones.
    /// - Returns: how many were allowed, denied and stepped up.
    func recordExpected(_ ix: OpaquePointer) -> (allow: Int, deny: Int, stepUp: Int) {
        var counts = (allow: 0, deny: 0, stepUp: 0)
        for i in 0..<count {
            let status = vigil_decide(ix, requests + i, result)
            guard status == VIGIL_OK else { fail("request \(i): \(String(cString: vigil_strerror(status)))") }
            expected[i] = result.pointee.effect
            switch result.pointee.effect {
            case VIGIL_ALLOW: counts.allow += 1
            case VIGIL_STEP_UP: counts.stepUp += 1
            default: counts.deny += 1
            }
        }
        return counts
    }
}

/// Batches of 32 checks for one principal and context (a request of the Zipf mix), in one of two shapes.
final class BatchBuffer: @unchecked Sendable {
    enum Shape {
        /// The (action, resource) pairs of the next 32 requests: 32 unrelated checks, nothing shared but the
        /// principal and the context.
        case unrelated
        /// A page of a document listing: the documents of the next 8 requests, each with view, edit, share and
        /// delete (which buttons to show).
        case page
    }

    static let size = 32
    let base: UnsafeMutablePointer<vigil_request>
    let pairs: UnsafeMutablePointer<vigil_request>
    let expected: UnsafeMutablePointer<Int32>
    let results = UnsafeMutablePointer<vigil_result>.allocate(capacity: BatchBuffer.size)
    let count: Int
    var cursor = 0

    /// The page's actions, as C strings that live as long as the process (written once, then only read).
    nonisolated(unsafe) private static let pageActions: [(UnsafePointer<CChar>, Int)] = ["view", "edit", "share", "delete"].map { name in
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: name.utf8.count + 1)
        _ = name.withCString { strcpy(p, $0) }
        return (UnsafePointer(p), name.utf8.count)
    }

    /// Builds `count` batches of `shape` from `source` (whose string storage they share) and records their
    /// effects, checking each against a single `vigil_decide` of the same request.
    init(_ source: RequestBuffer, shape: Shape, count: Int, _ ix: OpaquePointer) {
        self.count = count
        base = .allocate(capacity: count)
        pairs = .allocate(capacity: count * Self.size)
        expected = .allocate(capacity: count * Self.size)
        for b in 0..<count {
            base[b] = source.requests[(b * 37) % source.count]
            for k in 0..<Self.size {
                var pair = base[b]
                let other = source.requests[(b * 37 + 1 + (shape == .page ? k / 4 : k)) % source.count]
                (pair.action_id, pair.action_id_len) = shape == .page ? Self.pageActions[k % 4]
                                                                      : (other.action_id, other.action_id_len)
                (pair.resource_type, pair.resource_type_len) = (other.resource_type, other.resource_type_len)
                (pair.resource_id, pair.resource_id_len) = (other.resource_id, other.resource_id_len)
                pairs[b * Self.size + k] = pair
            }
            let status = vigil_decide_batch(ix, base + b, Self.size, pairs + b * Self.size, pairs + b * Self.size,
                                            results)
            guard status == VIGIL_OK else { fail("batch \(b): \(String(cString: vigil_strerror(status)))") }
            for k in 0..<Self.size {
                expected[b * Self.size + k] = results[k].effect
                let status = vigil_decide(ix, pairs + b * Self.size + k, source.result)
                guard status == VIGIL_OK, source.result.pointee.effect == results[k].effect else {
                    fail("batch \(b) pair \(k): the batch and a single decision disagree")
                }
            }
        }
    }
}

/// Where this benchmark process writes its indexes.
let benchmarkRoot = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(getpid())").path

/// Everything the benchmarks share, built on first use.
final class Workload: @unchecked Sendable {
    static let shared = Workload()

    let policies: PolicySet
    let schema: Schema
    let entities: [Entity]
    let compiled: CompiledIndex
    let decisionIndex: String
    let handle: OpaquePointer
    let zipf: RequestBuffer
    let uniform: RequestBuffer
    /// The same index opened again with the decision log on, the consumer that drains its ring while that
    /// benchmark runs, and its own copy of the Zipf requests: the two Zipf benchmarks differ only by logging.
    let loggingHandle: OpaquePointer
    let ringConsumer: RingConsumer
    let zipfLogged: RequestBuffer
    let batches: BatchBuffer
    let pageBatches: BatchBuffer
    /// Where the compile+publish and update benchmarks write, away from the index the decisions read.
    let scratch: String
    let documentCount: Int

    private init() {
        let shape = SaaSWorkload.Shape()
        documentCount = shape.documents
        let world = SaaSWorkload.world(shape: shape)
        do {
            schema = try Schema.parse(file: SourceFile(name: "schema.cedarschema", text: SaaSWorkload.schema))
            var set = PolicySet()
            let file = SourceFile(name: "policies.cedar", text: SaaSWorkload.policies(shape: shape))
            set.append(try Parser.parsePolicies(file), from: file)
            policies = set
            entities = try EntityJSON.parse(SourceFile(name: "entities.json", text: world.entitiesJSON), schema: schema)
            compiled = try Compiler(policies: policies, entities: entities, schema: schema).compile()
        } catch { fail("preparing the workload: \(error.all.map { $0.rendered() }.joined(separator: "\n"))") }
        let root = benchmarkRoot
        decisionIndex = root + "/decisions"
        scratch = root + "/scratch"
        do {
            for dir in [decisionIndex, scratch, scratch + "-updates"] {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
        } catch { fail("creating \(root): \(error)") }
        // The indexes take a few hundred MB; remove them when the benchmark process ends.
        atexit { try? FileManager.default.removeItem(atPath: benchmarkRoot) }
        do {
            let writer = try IndexWriter(directory: decisionIndex)
            _ = try writer.publish(compiled)
            writer.close()
        } catch { fail("publishing: \(error)") }
        var ix: OpaquePointer?
        let status = vigil_index_open(decisionIndex, 0, &ix)
        guard status == VIGIL_OK, let ix else { fail("opening the index: \(String(cString: vigil_strerror(status)))") }
        handle = ix
        let zipfRequests = SaaSWorkload.requests(world, count: 100_000, distribution: .zipf(exponent: 1.1))
        zipf = RequestBuffer(zipfRequests)
        uniform = RequestBuffer(SaaSWorkload.requests(world, count: 100_000, distribution: .uniform))
        let z = zipf.recordExpected(ix), u = uniform.recordExpected(ix)
        // The counts for the default shape and seeds; scripts/bench-ratios.py found every one of these 200,000
        // decisions equal to cedarpy's (2026-11-22). A change here is a change in the evaluator or the generator.
        guard z == (allow: 30_159, deny: 66_996, stepUp: 2_845), u == (allow: 34_080, deny: 62_098, stepUp: 3_822)
        else { fail("decision counts differ from the Cedar-checked ones: Zipf \(z), uniform \(u)") }
        batches = BatchBuffer(zipf, shape: .unrelated, count: 1_024, ix)
        pageBatches = BatchBuffer(zipf, shape: .page, count: 1_024, ix)
        loggingHandle = Self.openLogging(decisionIndex, rings: root + "/rings")
        ringConsumer = RingConsumer(directory: root + "/rings")
        zipfLogged = RequestBuffer(zipfRequests)
        ringConsumer.start()
        guard zipfLogged.recordExpected(loggingHandle) == z else { fail("the logging handle decides differently") }
        ringConsumer.stop()
        FileHandle.standardError.write(Data("""
            Decisions: \(entities.count) entities, \(policies.entries.count) policies; Zipf mix: \(z.allow) allow, \
            \(z.deny) deny, \(z.stepUp) step-up; uniform mix: \(u.allow) allow, \(u.deny) deny, \(u.stepUp) step-up

            """.utf8))
    }

    /// Opens `index` with its decision ring in `rings`.
    private static func openLogging(_ index: String, rings: String) -> OpaquePointer {
        do { try FileManager.default.createDirectory(atPath: rings, withIntermediateDirectories: true) } catch {
            fail("creating \(rings): \(error)")
        }
        setenv("VIGIL_RING_DIR", rings, 1)
        var lx: OpaquePointer?
        let status = vigil_index_open(index, 0, &lx)
        unsetenv("VIGIL_RING_DIR")
        var appended: UInt64 = 0, dropped: UInt64 = 0
        guard status == VIGIL_OK, let lx, vigil_log_stats(lx, &appended, &dropped) == VIGIL_OK else {
            fail("opening the index with its decision log on")
        }
        return lx
    }
}

/// Drains a ring directory on a thread of its own the way vigild's drain service does (copy every complete record
/// out, release it, rest 1 ms once caught up), only while started: its allocations must not reach the malloc
/// counts of the other benchmarks.
final class RingConsumer: @unchecked Sendable {
    private let drainer: RingDrainer
    private let running = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(directory: String) {
        do { drainer = try RingDrainer(directory: directory) } catch { fail("draining \(directory): \(error)") }
    }

    func start() {
        running.store(true, ordering: .sequentiallyConsistent)
        Thread { [self] in
            while running.load(ordering: .sequentiallyConsistent) {
                let drained = (try? drainer.drain(into: { _ in }))?.records ?? 0
                if drained == 0 { usleep(1_000) }
            }
            stopped.signal()
        }.start()
    }

    func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        stopped.wait()
    }
}
