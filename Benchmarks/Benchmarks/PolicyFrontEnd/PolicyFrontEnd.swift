// The language front end on a large policy set: parsing (goal: at least 100,000 policies per second) and strict
// validation against a schema. Run from Benchmarks/: `swift package benchmark` (../bench-results/README.md has the
// exact commands and the recorded results).
import Benchmark
import PolicyCorpus
import VigilPolicy
import VigilSchema
import VigilValidator

/// How many policies the generated corpus holds.
let corpusSize = 10_000

/// Policies handled per second in one iteration, measured around the work alone (setup excluded); shown as its own column so the
/// result reads directly against the goal (the built-in throughput column counts whole 10,000-policy runs).
let policiesPerSecond = BenchmarkMetric.custom("policies/s", polarity: .prefersLarger, useScalingFactor: false)

/// Runs `work` and returns its result with the time it took, freeing of whatever it built included.
func timed<T>(_ work: () throws -> T) rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try work()
    return (result, start.duration(to: clock.now))
}

/// Policies per second for `count` policies handled in `elapsed`.
func rate(_ count: Int, _ elapsed: Duration) -> Int {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Int((Double(count) / seconds).rounded()) : 0
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, policiesPerSecond, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 100
    )
    let corpus = SourceFile(name: "corpus.cedar", text: PolicyCorpus.policies(count: corpusSize))

    Benchmark("Parse 10,000 policies") { benchmark in
        let (count, elapsed) = try timed { try Parser.parsePolicies(corpus).count }
        // A parser that stopped early would look fast: insist on every policy.
        precondition(count == corpusSize, "parsed \(count) of \(corpusSize) policies")
        benchmark.measurement(policiesPerSecond, rate(count, elapsed))
    }

    // Validation alone. The schema and the parsed set are prepared in `setup`, outside the measurement, and live
    // only while this benchmark runs.
    Benchmark(
        "Validate 10,000 policies",
        closure: { (benchmark, prepared: (validator: Validator, set: PolicySet)) in
            let (validator, set) = prepared
            let (errors, elapsed) = timed { validator.validate(set) }
            // Every generated policy is valid (cedarpy agrees), so an error here is the validator's.
            precondition(errors.isEmpty, "\(errors.count) validation errors, the first: \(errors.first?.rendered() ?? "")")
            benchmark.measurement(policiesPerSecond, rate(set.entries.count, elapsed))
        },
        setup: {
            let schema = try Schema.parse(file: SourceFile(name: "corpus.cedarschema", text: PolicyCorpus.schema))
            var set = PolicySet()
            set.append(try Parser.parsePolicies(corpus), from: corpus)
            return (Validator(schema: schema), set)
        })
}
