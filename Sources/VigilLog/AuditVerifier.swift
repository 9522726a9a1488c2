import Foundation

/// Checks an audit trail offline: the sequence numbers, each line's hash against the next line's `prev` (across
/// files) and the last committed line's against `audit.head` (which also catches lines removed from the end).
/// It stops at the first bad line.
public enum AuditVerifier {
    /// Where and why the chain breaks.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The trail file's path.
        public var file: String
        /// The 1-based line in `file`.
        public var line: Int
        public var reason: String

        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// The verdict.
    public enum Result: Sendable, Hashable {
        /// Every line checks out: `records` lines in `files` files, ending with `lastHash`.
        case intact(records: UInt64, files: Int, lastHash: String)
        /// The first line where the chain breaks.
        case broken(Failure)
    }

    /// Verifies the trail in `directory`.
    /// - Throws: `AuditTrailError` when the directory or a file cannot be read (an I/O problem, not tampering).
    public static func verify(directory: String) throws -> Result {
        let numbers = try AuditTrail.fileNumbers(directory)
        var expectedSeq: UInt64 = 1
        var prev = Array(AuditChain.genesis.utf8)   // the hash the next line's `prev` must equal
        var headHash: [UInt8]?                       // the hash of the line audit.head names
        let head = try AuditFiles.readHead(directory)
        var last: (file: String, line: Int) = (directory + "/" + AuditFiles.name(1), 0)
        for (index, number) in numbers.enumerated() {
            let path = directory + "/" + AuditFiles.name(number)
            if number != index + 1 {
                return .broken(Failure(file: path, line: 1, reason: "trail file \(AuditFiles.name(index + 1)) is missing"))
            }
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)) } catch {
                throw AuditTrailError("\(path): cannot read: \(error.localizedDescription)")
            }
            var start = 0
            var line = 0
            while start < bytes.count {
                line += 1
                guard let end = bytes[start...].firstIndex(of: 0x0A) else {
                    return .broken(Failure(file: path, line: line, reason: "incomplete last line (no newline)"))
                }
                let text = bytes[start..<end]
                start = end + 1
                guard let parsed = AuditChain.parse(text) else {
                    return .broken(Failure(file: path, line: line, reason: "not a chained audit record"))
                }
                if parsed.seq != expectedSeq {
                    let reason = parsed.seq > expectedSeq
                        ? "\(parsed.seq - expectedSeq) record(s) missing before this one, removed or moved "
                            + "(sequence \(parsed.seq), expected \(expectedSeq))"
                        : "record inserted or out of order (sequence \(parsed.seq), expected \(expectedSeq))"
                    return .broken(Failure(file: path, line: line, reason: reason))
                }
                // The sequence is right, so the line before is the one this `prev` names: a mismatch means that
                // line was changed (or this `prev` was).
                guard parsed.prev.elementsEqual(prev) else {
                    return .broken(expectedSeq == 1
                        ? Failure(file: path, line: line, reason: "chain broken: the first record's prev is not zeros")
                        : Failure(file: last.file, line: last.line,
                                  reason: "record edited: its hash does not match the next record's prev"))
                }
                if let head, head.seq == parsed.seq { headHash = parsed.hash }
                prev = parsed.hash
                expectedSeq += 1
                last = (path, line)
            }
        }
        let records = expectedSeq - 1
        if let head {
            guard head.seq <= records else {
                return .broken(Failure(file: last.file, line: last.line + 1,
                                       reason: "\(head.seq - records) record(s) removed from the end (audit.head records \(head.seq), the trail has \(records))"))
            }
            if head.seq > 0, let h = headHash, h != head.hash {
                // Lines after the one audit.head names (written before a crash cut their commit short) chain to
                // it, so a changed line would have broken their `prev` first: the head's line itself differs.
                return .broken(head.seq == records
                    ? Failure(file: last.file, line: last.line,
                              reason: "record edited: its hash does not match audit.head")
                    : Failure(file: directory + "/" + AuditFiles.headName, line: 1,
                              reason: "audit.head names a record \(head.seq) with another hash"))
            }
        }
        return .intact(records: records, files: numbers.count, lastHash: String(decoding: prev, as: UTF8.self))
    }
}
