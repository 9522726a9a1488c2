import Foundation
import TestSupport
import Testing
import VigilCompiler
#if canImport(Glibc)
import Glibc
#endif

/// Issue 3, "No mixed generations", second half: the writer (`vigil compile --out` into the existing index, a real
/// process) is SIGKILLed mid-publish 100 times while three reader processes keep deciding. Readers must keep
/// answering from the last committed generation (never an error, never an impossible answer, the generation
/// never going backwards); afterwards the index reopens and the next publish succeeds with the next generation.
///
/// "Mid-publish": each kill lands after the writer has opened the index (it holds `writer.lock`), at a random delay
/// within the time a whole publish takes, measured first. `VIGIL_GEN_KILLS` and `VIGIL_GEN_READERS` scale the run
/// (defaults: the issue's 100 and 3); `VIGIL_GEN_SEED` changes the delays.
extension GenerationTests {
    /// Filler entities per publish, so that the write transaction takes long enough to be killed inside.
    static let writerBulk = 500

    @Test func killedWritersLeaveTheLastCommittedGeneration() throws {
        let kills = environmentCount("VIGIL_GEN_KILLS", default: 100)
        let readerCount = environmentCount("VIGIL_GEN_READERS", default: 3)
        var random = SplitMix64(seed: UInt64(environmentCount("VIGIL_GEN_SEED", default: 3)))
        let bin = try #require(HostProcesses.binDirectory)
        let vigil = bin.appendingPathComponent("vigil").path
        let work = try HostProcesses.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let program = try HostProcesses.buildReader(in: work)
        let index = work.appendingPathComponent("index")
        let start = Date()

        // Two whole publishes: the first creates the index, both measure how long the writer holds it.
        var k = 0
        var window = 0.0
        for _ in 0..<2 {
            k += 1
            try GenerationWorld(k: k, bulk: Self.writerBulk).write(to: work)
            let run = try WriterRun(vigil: vigil, work: work, index: index)
            let held = try #require(run.waitForIndex(), "the writer never opened the index")
            run.wait()
            #expect(run.exitedNormally, "vigil compile failed:\n\(run.output())")
            window = max(window, Date().timeIntervalSince(held))
        }
        let authorizer = try Authorizer(path: index.path)
        defer { authorizer.close() }
        var committed = try authorizer.generation()
        #expect(committed == 2)

        let readers = try (0..<readerCount).map { _ in
            try ReaderProcess(program: program, index: index, parity: false)
        }
        var killed = 0, killedBeforeCommit = 0, finishedFirst = 0, lateCommits = 0
        var previousKilled = false
        do {
            // A busy machine changes how long a publish takes; a writer that finishes before its kill shrinks the
            // window, so the run still reaches its kills instead of giving up.
            while killed < kills && finishedFirst < 5 * kills {
                k += 1
                try GenerationWorld(k: k, bulk: Self.writerBulk).write(to: work)
                let run = try WriterRun(vigil: vigil, work: work, index: index)
                if run.waitForIndex() != nil {
                    // Up to a quarter past the measured window, so some kills land after the commit too.
                    usleep(UInt32(Double(random.next() % 1_000) / 800 * window * 1_000_000))
                    run.kill()
                }
                run.wait()
                let now = try authorizer.generation()
                if run.killed {
                    killed += 1
                    if now == committed { killedBeforeCommit += 1 }
                } else {
                    finishedFirst += 1
                    window *= 0.8
                    #expect(run.exitedNormally, "vigil compile failed:\n\(run.output())")
                }
                // A publish either committed whole (one generation more) or not at all. One more is allowed after
                // a kill: a writer killed between writing LMDB's meta page and updating the lock file's txnid has
                // committed durably, but readers see that commit only once the next writer repairs the lock file
                // (LMDB's mdb_mutex_failed), so the next publish shows two generations at once.
                let late = previousKilled && now == committed + 2
                #expect(now == committed || now == committed + 1 || late, "generation \(committed) became \(now)")
                if late { lateCommits += 1 }
                committed = now
                previousKilled = run.killed
            }
        } catch {
            _ = readers.map { try? $0.stop() }
            throw error
        }
        let counts = try readers.map { try $0.stop() }

        // The index reopens for writing and the next publish is the next generation.
        k += 1
        try GenerationWorld(k: k, bulk: 0).write(to: work)
        let last = try WriterRun(vigil: vigil, work: work, index: index)
        last.wait()
        #expect(last.exitedNormally, "vigil compile after the kills failed:\n\(last.output())")
        let next = try authorizer.generation()
        #expect(next == committed + 1 || (previousKilled && next == committed + 2), "\(committed) became \(next)")
        #expect(last.output().contains("published generation \(next) "), "\(last.output())")
        let seconds = Date().timeIntervalSince(start)

        for (n, c) in counts.enumerated() {
            print("writer-crash reader \(n): \(c.decisions) decisions in \(c.batches) batches, "
                  + "\(c.generations) generations seen (\(c.first)...\(c.last)), \(c.impossible) impossible, "
                  + "\(c.errors) errors, \(c.backwards) backwards")
            #expect(c.impossible == 0, "\(c.complaints)")
            #expect(c.errors == 0, "\(c.complaints)")
            #expect(c.backwards == 0)
            #expect(c.last <= next)
        }
        print("writer-crash: \(killed) writers killed mid-publish (\(killed - killedBeforeCommit) after their commit, "
              + "\(killedBeforeCommit) with no visible commit, of which \(lateCommits) had committed durably and "
              + "became visible at the next publish), \(finishedFirst) finished before the kill, "
              + "publish window \(String(format: "%.1f", window * 1_000)) ms, final generation \(next), "
              + "\(String(format: "%.1f", seconds)) s")
        #expect(killed == kills)
        // Some kills must land before the commit, inside the write, or "mid-publish" was not exercised. (Kills
        // after the commit are reported but not required: at small scales there may be none.)
        #expect(killedBeforeCommit > 0)
    }
}

/// One `vigil compile` run publishing `work/policies.cedar` and `work/entities.json` into the index.
private final class WriterRun {
    private let process = Process()
    private let pipe = Pipe()
    private let lockPath: String
    private(set) var killed = false

    init(vigil: String, work: URL, index: URL) throws {
        process.executableURL = URL(fileURLWithPath: vigil)
        process.arguments = [
            "compile", "--policies", work.appendingPathComponent("policies.cedar").path,
            "--entities", work.appendingPathComponent("entities.json").path, "--out", index.path,
        ]
        process.standardOutput = pipe
        process.standardError = pipe
        lockPath = index.appendingPathComponent("writer.lock").path
        try process.run()
    }

    /// Waits until the writer holds the index open (its `writer.lock` is among its open files) and returns when
    /// that was seen; `nil` when it exited first.
    func waitForIndex() -> Date? {
        let fdDirectory = "/proc/\(process.processIdentifier)/fd"
        while process.isRunning {
            if Self.openFiles(fdDirectory).contains(lockPath) { return Date() }
            usleep(100)
        }
        return nil
    }

    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
    }

    func wait() {
        process.waitUntilExit()
        killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    var exitedNormally: Bool { process.terminationReason == .exit && process.terminationStatus == 0 }

    /// Everything the writer printed; call after `wait()`.
    func output() -> String {
        String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The targets of a process's open file descriptors.
    private static func openFiles(_ fdDirectory: String) -> [String] {
        guard let dir = opendir(fdDirectory) else { return [] }
        defer { closedir(dir) }
        var targets: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let n = readlink(fdDirectory + "/" + name, &buffer, buffer.count - 1)
            if n > 0 { targets.append(String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        }
        return targets
    }
}

