import Foundation
import VigilCompiler
import VigilData
import VigilPolicy

/// A policy set compiled and published into a temporary index, decided through the C evaluator; removed when the
/// value goes away.
final class TestIndex {
    let dir: String
    let writer: IndexWriter
    let authorizer: Authorizer

    init(_ policies: String, entities: [Entity] = [], sessions: [Session] = []) throws {
        let file = SourceFile(name: "test.cedar", text: policies)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        let compiled = try Compiler(policies: set, entities: entities, sessions: sessions).compile()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fwd-\(UUID().uuidString)").path
        writer = try IndexWriter(directory: dir, mapSize: 16 << 20)
        try writer.publish(compiled)
        authorizer = try Authorizer(path: dir)
    }

    deinit {
        authorizer.close()
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: files)
    }

    /// Where a test's own files (configuration, JWKS) go; removed with the index.
    var files: String { dir + ".files" }

    /// Writes `text` to `name` in `files` and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        let path = files + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
