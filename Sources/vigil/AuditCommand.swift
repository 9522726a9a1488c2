import ArgumentParser
import Foundation
import VigilLog

/// `vigil audit`: the tamper-evident decision audit trail.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the decision audit trail, or drain decision rings into it.",
        subcommands: [AuditVerifyCommand.self, AuditDrainCommand.self])
}

/// `vigil audit verify --dir DIR`.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no audit record was edited, removed, inserted or reordered.",
        discussion: """
            Recomputes every record's SHA-256, checks the sequence numbers and that each record carries the hash \
            of the one before it, across all the trail's files, and that the trail still reaches the last record \
            vigild committed (audit.head). Reports the first record where the chain breaks as file:line.

            Exit status: 0 when the trail is intact, 1 when it is not, 2 when it cannot be read.

            Example:
              vigil audit verify --dir /var/lib/vigil/audit
            """)

    @Option(help: ArgumentHelp("The audit trail's directory.", valueName: "dir"))
    var dir: String

    func run() throws {
        let result: AuditVerifier.Result
        do { result = try AuditVerifier.verify(directory: dir) } catch {
            FileHandle.standardError.write(Data("vigil audit verify: \(error)\n".utf8))
            throw ExitCode(2)
        }
        switch result {
        case .intact(let records, let files, let hash):
            print("ok: \(records) records in \(files) \(files == 1 ? "file" : "files"), chain intact (last hash \(hash))")
        case .broken(let failure):
            FileHandle.standardError.write(Data("\(failure.file):\(failure.line): error: \(failure.reason)\n".utf8))
            print("error: the audit trail is not intact; first bad record at \(failure.file):\(failure.line)")
            throw ExitCode(1)
        }
    }
}

/// `vigil audit drain --rings DIR --dir DIR`: what vigild's drain service does, once, from the command line.
struct AuditDrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain host processes' decision rings into the audit trail once.",
        discussion: """
            Appends every complete record of every ring in --rings to the trail in --dir, syncs it, then \
            releases the records from their rings; rings of processes that have exited are removed once drained. \
            vigild does this continuously; use this when vigild is not running. Rings another drainer holds are \
            skipped.

            Example:
              vigil audit drain --rings /var/lib/vigil/index/rings --dir /var/lib/vigil/audit
            """)

    @Option(help: ArgumentHelp("The ring directory (VIGIL_RING_DIR, or <index>/rings).", valueName: "dir"))
    var rings: String

    @Option(help: ArgumentHelp("The audit trail's directory (created if missing).", valueName: "dir"))
    var dir: String

    @Option(help: "Rotate a trail file before it would pass this many bytes.")
    var maxFileBytes: Int = 64 << 20

    func run() throws {
        do {
            let drainer = try RingDrainer(directory: rings)
            let trail = try AuditTrail(directory: dir, maxFileBytes: maxFileBytes)
            var total = 0, removed = 0, torn = 0, rounds = 0
            var dropped: [String: UInt64] = [:]   // per ring: a removed ring is reported only once
            var finished: [RingStatus] = []
            let start = DispatchTime.now().uptimeNanoseconds
            var stats: DrainStats
            repeat {
                stats = try drainer.drain(into: trail)
                total += stats.records
                removed += stats.removed.count
                torn += stats.torn
                for ring in stats.rings {
                    dropped[ring.name] = ring.dropped
                    if stats.removed.contains(ring.name) { finished.append(ring) }
                }
                rounds += 1
            } while stats.records > 0 && rounds < 1000  // a process still deciding would keep it going
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let rate = seconds > 0 ? Int(Double(total) / seconds) : 0
            print("drained \(total) records (\(rate) records/s) into \(dir); \(dropped.values.reduce(0, +)) dropped by writers, "
                  + "\(removed) finished rings removed, \(torn) torn")
            for ring in finished {
                print("finished \(ring.name): \(ring.appended) appended, \(ring.dropped) dropped, removed")
            }
            for busy in stats.busy { print("skipped \(busy): another drainer holds it") }
        } catch {
            FileHandle.standardError.write(Data("vigil audit drain: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
