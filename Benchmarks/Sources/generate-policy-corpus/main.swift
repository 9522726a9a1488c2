// Writes the benchmark corpus to files, so it can be checked with other tools (cedarpy, `vigil check`):
//   swift run -c release generate-policy-corpus OUTPUT_DIR [COUNT]
// produces OUTPUT_DIR/policies.cedar and OUTPUT_DIR/schema.cedarschema.
import Foundation
import PolicyCorpus

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3, let count = Int(arguments.count == 3 ? arguments[2] : "10000"),
    count >= 0
else {
    FileHandle.standardError.write(Data("usage: generate-policy-corpus OUTPUT_DIR [COUNT]\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try PolicyCorpus.policies(count: count).write(
        to: directory.appendingPathComponent("policies.cedar"), atomically: true, encoding: .utf8)
    try PolicyCorpus.schema.write(
        to: directory.appendingPathComponent("schema.cedarschema"), atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("generate-policy-corpus: \(error)\n".utf8))
    exit(1)
}
