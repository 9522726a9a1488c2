import Foundation
import VigilCompiler
import VigilData
import VigilPolicy

/// The policy sets the generation tests publish, each built from one number `k` so that an answer read from a mix
/// of two sets is impossible (c/generation_reader.c checks the answers):
///
/// - every entity carries `gen == k`, and the probe policy permits only when principal and resource both have
///   `gen == k` (the literal `k` is in the policy), so a policy and an entity from different sets deny;
/// - action `a` is permitted and `b` forbidden when `k` is even, the opposite when odd;
/// - the policy order is reversed between even and odd sets and `k % 5` filler entities come first, so policy
///   numbers and entity ids of neighbouring sets differ and a table read from the wrong set points elsewhere.
struct GenerationWorld {
    /// How many documents the probe reads in one batch.
    static let documents = 30

    let k: Int
    /// Extra filler entities, to make a publish take longer (the crash test wants a wide window to kill in).
    var bulk = 0

    var policies: String {
        let probe = """
            permit(principal, action == Action::"probe", resource)
            when { principal.gen == \(k) && resource.gen == \(k) };
            """
        if k % 2 == 0 {
            return probe + """

                permit(principal, action == Action::"a", resource);
                forbid(principal, action == Action::"b", resource);

                """
        }
        return """
            permit(principal, action == Action::"b", resource);
            forbid(principal, action == Action::"a", resource);

            """ + probe + "\n"
    }

    var entitiesJSON: String {
        var items: [String] = []
        for i in 0..<(k % 5 + bulk) {
            items.append(#"{"uid":{"type":"Filler","id":"f\#(i)"},"attrs":{"n":\#(i)},"parents":[]}"#)
        }
        items.append(#"{"uid":{"type":"User","id":"u"},"attrs":{"gen":\#(k)},"parents":[]}"#)
        for d in 0..<Self.documents {
            items.append(#"{"uid":{"type":"Doc","id":"d\#(d)"},"attrs":{"gen":\#(k)},"parents":[]}"#)
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    /// The set compiled in this process, for `IndexWriter.publish(_:)`.
    func compiled() throws -> CompiledIndex {
        let file = SourceFile(name: "gen\(k).cedar", text: policies)
        var set = PolicySet()
        set.append(try Parser.parsePolicies(file), from: file)
        let entities = try EntityJSON.parse(SourceFile(name: "gen\(k).json", text: entitiesJSON), schema: nil)
        return try Compiler(policies: set, entities: entities).compile()
    }

    /// Writes `policies.cedar` and `entities.json` into `directory`, for `vigil compile`.
    func write(to directory: URL) throws {
        try policies.write(to: directory.appendingPathComponent("policies.cedar"), atomically: true, encoding: .utf8)
        try entitiesJSON.write(to: directory.appendingPathComponent("entities.json"), atomically: true,
                               encoding: .utf8)
    }
}
