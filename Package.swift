// swift-tools-version:6.0
// Vigil: Cedar-compatible fine-grained authorization with a memory-mapped index.
//
// Module layout, in the direction of dependencies:
//   VigilPolicy     the Cedar language: source files, diagnostics, lexer, parser, AST, values, extensions, formatter
//   VigilSchema     Cedar schemas (human `.cedarschema` and JSON) into one resolved schema model
//   VigilData       entity, context and template-link JSON, optionally directed and checked by a schema
//   VigilValidator  strict type checking of policies against a schema
//   VigilCompiler   policies + entities -> the LMDB index (interning, closure, codegen, index writer)
//   CVigil          the C evaluator behind vigil.h (libvigil): index reader, bytecode VM, decisions, decision ring
//   VigilLog        draining decision rings into the hash-chained audit trail, and verifying it
//   VigilSidecar    vigild's services: policy sources and publishing, data API, HTTP endpoints, metrics
//   vigil           the command-line tool
//   vigild          the sidecar daemon
// Benchmarks live in their own package under Benchmarks/ so `swift test` stays free of benchmark dependencies.
import PackageDescription

let package = Package(
    name: "Vigil",
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigild", targets: ["vigild"]),
        .library(name: "VigilPolicy", targets: ["VigilPolicy"]),
        .library(name: "VigilSchema", targets: ["VigilSchema"]),
        .library(name: "VigilData", targets: ["VigilData"]),
        .library(name: "VigilValidator", targets: ["VigilValidator"]),
        .library(name: "VigilCompiler", targets: ["VigilCompiler"]),
        .library(name: "VigilLog", targets: ["VigilLog"]),
        // libvigil: the C evaluator as a shared library for host processes (installed as libvigil.so.0 by
        // scripts/install-libvigil.sh; SwiftPM names the file after the product).
        .library(name: "VigilC", type: .dynamic, targets: ["VigilCShared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // The C evaluator. Pure C11 and liblmdb: no Swift runtime, so any host process can load it.
        .target(
            name: "CVigil",
            cSettings: [.unsafeFlags(["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra"])],
            linkerSettings: [.linkedLibrary("lmdb")]),
        // libvigil.so: CVigil linked as a shared library. The linker flags keep swiftc (which links every product)
        // from adding the Swift runtime to it (BUILD-NOTES); they live on this target, which only the product
        // uses, because on CVigil they would also reach every Swift executable and test that imports CVigil.
        .target(
            name: "VigilCShared",
            dependencies: ["CVigil"],
            linkerSettings: [
                .unsafeFlags(["-nostartfiles", "-static-stdlib", "-Xlinker", "-soname=libvigil.so.0"]),
            ]),
        // SHA-256 for the audit trail's chain, without allocation (its header says why not swift-crypto's).
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-std=c11", "-Wall", "-Wextra"])]),
        .target(name: "VigilPolicy"),
        .target(name: "VigilSchema", dependencies: ["VigilPolicy"]),
        .target(name: "VigilData", dependencies: ["VigilPolicy", "VigilSchema"]),
        .target(name: "VigilValidator", dependencies: ["VigilPolicy", "VigilSchema"]),
        .target(name: "VigilCompiler",
            dependencies: ["VigilPolicy", "VigilSchema", "VigilData", "VigilValidator", "CLMDB", "CVigil"]),
        .target(
            name: "VigilLog", dependencies: ["CVigil", "CSHA256"],
            // The drain formats and chains a million records a second through a few class-held buffers; the
            // run-time exclusivity checks on them cost ~8% of its CPU. The compile-time checks stay.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "VigilSidecar",
            dependencies: [
                "VigilPolicy", "VigilSchema", "VigilData", "VigilValidator", "VigilCompiler", "VigilLog", "CVigil",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilPolicy", "VigilSchema", "VigilData", "VigilValidator", "VigilCompiler", "VigilLog", "CVigil",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "vigild",
            dependencies: [
                "VigilSidecar",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Running programs from the tests (gcc, the built executables): shared by the test targets below.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CLMDBTests", dependencies: ["CLMDB"]),
        .testTarget(name: "VigilPolicyTests", dependencies: ["VigilPolicy", "TestSupport"]),
        .testTarget(name: "VigilSchemaTests", dependencies: ["VigilSchema"]),
        .testTarget(name: "VigilDataTests", dependencies: ["VigilData"]),
        .testTarget(name: "VigilValidatorTests", dependencies: ["VigilValidator", "VigilData"]),
        .testTarget(name: "CLITests", dependencies: ["vigil"]),
        .testTarget(name: "VigilCompilerTests", dependencies: ["VigilCompiler", "TestSupport"]),
        .testTarget(name: "CVigilTests", dependencies: ["CVigil", "TestSupport"], exclude: ["c"]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["VigilPolicy", "VigilSchema", "VigilData", "VigilValidator", "VigilCompiler"]),
        .testTarget(name: "IntegrationTests", dependencies: ["VigilCompiler", "TestSupport"], exclude: ["c"]),
        .testTarget(
            name: "VigilLogTests",
            dependencies: ["VigilLog", "CVigil", "CSHA256", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "VigilSidecarTests", dependencies: ["VigilSidecar", "TestSupport"]),
        // Drives the built vigild and vigil executables over HTTP, the Unix socket and a real nginx.
        .testTarget(name: "DaemonTests", dependencies: ["VigilCompiler", "CVigil", "TestSupport"]),
    ]
)
