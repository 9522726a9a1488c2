import Foundation
import Testing
import VigilCompiler

/// Issue 3, "No mixed generations", first half: three reader processes (c/generation_reader.c, through libvigil)
/// decide batches continuously while this process publishes 1,000 alternating policy sets (GenerationWorld) with
/// `IndexWriter`. Every batch is one snapshot, so every answer must come from exactly one generation.
///
/// `VIGIL_GEN_PUBLISHES` and `VIGIL_GEN_READERS` scale the run (defaults: the issue's 1,000 and 3).
extension GenerationTests {
    @Test func readersNeverSeeAMixOfTwoGenerations() throws {
        let publishes = environmentCount("VIGIL_GEN_PUBLISHES", default: 1_000)
        let readerCount = environmentCount("VIGIL_GEN_READERS", default: 3)
        let work = try HostProcesses.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let program = try HostProcesses.buildReader(in: work)
        let index = work.appendingPathComponent("index")

        let start = Date()
        let writer = try IndexWriter(directory: index.path)
        defer { writer.close() }
        #expect(try writer.publish(GenerationWorld(k: 1).compiled()) == 1)
        let readers = try (0..<readerCount).map { _ in
            try ReaderProcess(program: program, index: index, parity: true)
        }
        var counts: [ReaderProcess.Counts] = []
        do {
            for k in 2...max(2, publishes) {
                let generation = try writer.publish(GenerationWorld(k: k).compiled())
                #expect(generation == UInt64(k))
            }
        } catch {
            counts = readers.compactMap { try? $0.stop() }
            throw error
        }
        counts = try readers.map { try $0.stop() }
        let seconds = Date().timeIntervalSince(start)

        for (n, c) in counts.enumerated() {
            print("mixed-generations reader \(n): \(c.decisions) decisions in \(c.batches) batches, "
                  + "\(c.generations) generations seen (\(c.first)...\(c.last)), \(c.impossible) impossible, "
                  + "\(c.errors) errors, \(c.backwards) backwards")
            #expect(c.impossible == 0, "\(c.complaints)")
            #expect(c.errors == 0, "\(c.complaints)")
            #expect(c.backwards == 0)
            // Readers run all along: each must have watched a good share of the publishes go by.
            #expect(c.generations >= max(2, publishes / 10), "reader \(n) saw only \(c.generations) generations")
            #expect(c.first >= 1 && c.last <= publishes)
        }
        print("mixed-generations: \(publishes) publishes, \(readerCount) readers, "
              + "\(counts.map(\.decisions).reduce(0, +)) decisions, "
              + "\(counts.map(\.impossible).reduce(0, +)) impossible, \(String(format: "%.1f", seconds)) s")
    }
}
