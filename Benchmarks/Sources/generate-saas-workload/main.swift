// Writes the SaaS workload to files:
//   swift run -c release generate-saas-workload OUT_DIR [--users N] [--documents N] [--requests N]
// produces OUT_DIR/schema.cedarschema, policies.cedar, entities.json, requests-zipf.jsonl (s = 1.1) and
// requests-uniform.jsonl.
import Foundation
import SaaSWorkload

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("generate-saas-workload: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var shape = SaaSWorkload.Shape()
var requestCount = 100_000
var outDir: String?
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--users", "--documents", "--requests":
        guard let value = arguments.first.flatMap({ Int($0) }), value > 0 else {
            fail("\(argument) needs a positive number")
        }
        arguments.removeFirst()
        switch argument {
        case "--users": shape.users = value
        case "--documents": shape.documents = value
        default: requestCount = value
        }
    default:
        guard outDir == nil, !argument.hasPrefix("-") else {
            fail("usage: generate-saas-workload OUT_DIR [--users N] [--documents N] [--requests N]")
        }
        outDir = argument
    }
}
guard let outDir else { fail("usage: generate-saas-workload OUT_DIR [--users N] [--documents N] [--requests N]") }

let directory = URL(fileURLWithPath: outDir, isDirectory: true)
func write(_ name: String, _ text: String) {
    do { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) } catch {
        fail("cannot write \(name): \(error)")
    }
}
do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
    fail("cannot create \(outDir): \(error)")
}
let world = SaaSWorkload.world(shape: shape)
write("schema.cedarschema", SaaSWorkload.schema)
write("policies.cedar", SaaSWorkload.policies(shape: shape))
write("entities.json", world.entitiesJSON)
for (name, distribution) in [("zipf", SaaSWorkload.Distribution.zipf(exponent: 1.1)), ("uniform", .uniform)] {
    let lines = SaaSWorkload.requests(world, count: requestCount, distribution: distribution).map(SaaSWorkload.jsonLine)
    write("requests-\(name).jsonl", lines.joined(separator: "\n") + "\n")
}
print("generate-saas-workload: \(world.entityCount) entities, \(requestCount) requests per mix, in \(outDir)")
