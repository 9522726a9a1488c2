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
    ]
)
