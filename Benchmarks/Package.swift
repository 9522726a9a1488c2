// swift-tools-version:6.1
// Vigil benchmarks, kept in their own package so the main package's `swift test` needs no benchmark dependencies.
// Run from this folder: `swift package benchmark` (see ../bench-results/README.md for the exact commands used).
import PackageDescription

let package = Package(
    name: "VigilBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The default traits pull a jemalloc package that is not available everywhere; MallocInterposer alone
        // still counts mallocs.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "Vigil", path: ".."),
    ],
    targets: [
        // The deterministic generator of large policy sets and their schema, shared by the benchmarks and the tool.
        .target(name: "PolicyCorpus"),
        // Writes the corpus to files, for checking it with cedarpy or `vigil check`.
        .executableTarget(name: "generate-policy-corpus", dependencies: ["PolicyCorpus"]),
        // The SaaS decision workload (users, groups, folders, documents, ~40 policies, Zipf and uniform requests).
        .target(name: "SaaSWorkload"),
        .executableTarget(name: "generate-saas-workload", dependencies: ["SaaSWorkload"]),
        .executableTarget(
            name: "PolicyFrontEnd",
            dependencies: [
                "PolicyCorpus",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilPolicy", package: "Vigil"),
                .product(name: "VigilSchema", package: "Vigil"),
                .product(name: "VigilValidator", package: "Vigil"),
            ],
            path: "Benchmarks/PolicyFrontEnd",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Decisions through the C ABI, compile+publish and incremental updates on the SaaS workload.
        .executableTarget(
            name: "Decisions",
            dependencies: [
                "SaaSWorkload",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilPolicy", package: "Vigil"),
                .product(name: "VigilSchema", package: "Vigil"),
                .product(name: "VigilData", package: "Vigil"),
                .product(name: "VigilCompiler", package: "Vigil"),
                .product(name: "VigilLog", package: "Vigil"),
            ],
            path: "Benchmarks/Decisions",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Draining decision rings (written by libvigil's vigil_decide) into records and into the audit trail.
        .executableTarget(
            name: "DecisionLog",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilPolicy", package: "Vigil"),
                .product(name: "VigilData", package: "Vigil"),
                .product(name: "VigilCompiler", package: "Vigil"),
                .product(name: "VigilLog", package: "Vigil"),
            ],
            path: "Benchmarks/DecisionLog",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
