import Foundation

/// Cedar's conformance cases (../shared/cedar-conformance beside the repository), with the 7,809-test corpus
/// extracted once per test process into a temporary folder.
enum ConformanceCorpus {
    /// One test file: a policy set, entities, a schema, the expected validation result and requests.
    struct TestCase {
        var name: String
        var policiesPath: String
        var entitiesPath: String
        var schemaPath: String
        var shouldValidate: Bool
        var requests: [[String: Any]]
    }

    /// The conformance folder: `$VIGIL_CONFORMANCE`, else `../shared/cedar-conformance` next to the checkout.
    static let root: String = {
        if let env = ProcessInfo.processInfo.environment["VIGIL_CONFORMANCE"] { return env }
        let here = URL(fileURLWithPath: #filePath)  // …/Tests/ConformanceTests/ConformanceCorpus.swift
        let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/cedar-conformance").path
    }()

    /// Where the corpus tarball was extracted; the folder holds `corpus-tests/`.
    static let extracted: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-conformance-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "xzf", root + "/corpus-tests.tar.gz", "-C", dir.path]
        try? tar.run()
        tar.waitUntilExit()
        atexit { try? FileManager.default.removeItem(atPath: ConformanceCorpus.extractedPathForCleanup) }
        extractedPathForCleanup = dir.path
        return dir.path
    }()
    nonisolated(unsafe) static var extractedPathForCleanup = ""

    static func load(_ jsonPath: String, base: String) -> TestCase? {
        guard let data = FileManager.default.contents(atPath: jsonPath),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        func path(_ key: String) -> String { base + "/" + ((obj[key] as? String) ?? "") }
        return TestCase(
            name: (jsonPath as NSString).lastPathComponent,
            policiesPath: path("policies"), entitiesPath: path("entities"), schemaPath: path("schema"),
            shouldValidate: obj["shouldValidate"] as? Bool ?? false,
            requests: obj["requests"] as? [[String: Any]] ?? [])
    }

    /// The 22 hand-written tests.
    static var handWritten: [TestCase] {
        let testsDir = root + "/tests"
        let fm = FileManager.default
        var out: [TestCase] = []
        for sub in ((try? fm.contentsOfDirectory(atPath: testsDir)) ?? []).sorted() {
            for f in ((try? fm.contentsOfDirectory(atPath: testsDir + "/" + sub)) ?? []).sorted() where f.hasSuffix(".json") {
                if let t = load(testsDir + "/" + sub + "/" + f, base: root) { out.append(t) }
            }
        }
        return out
    }

    /// The 7,809 generated tests.
    static var corpus: [TestCase] {
        let dir = extracted + "/corpus-tests"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".entities.json") }.sorted()
        return files.compactMap { load(dir + "/" + $0, base: extracted) }
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
