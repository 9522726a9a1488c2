import Foundation

/// Checks an audit trail offline: every line's own hash, the sequence numbers, the `prev` links across lines and
/// files, and `audit.head` (lines removed from the end). It stops at the first bad line.
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
        var prev = ArraySlice(AuditChain.genesis.utf8)
        var hashes: [UInt64: ArraySlice<UInt8>] = [:]   // only the one audit.head names is kept
        let head = try readHead(directory)
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
                guard parsed.hashMatches else {
                    return .broken(Failure(file: path, line: line,
                                           reason: "record edited: its hash does not match its content"))
                }
                if parsed.seq != expectedSeq {
                    let reason = parsed.seq > expectedSeq
                        ? "\(parsed.seq - expectedSeq) record(s) missing before this one, removed or moved "
                            + "(sequence \(parsed.seq), expected \(expectedSeq))"
                        : "record inserted or out of order (sequence \(parsed.seq), expected \(expectedSeq))"
                    return .broken(Failure(file: path, line: line, reason: reason))
                }
                guard parsed.prev.elementsEqual(prev) else {
                    return .broken(Failure(file: path, line: line,
                                           reason: "chain broken: prev is not the hash of the record before"))
                }
                if let head, head.seq == parsed.seq { hashes[parsed.seq] = parsed.hash }
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
            if head.seq > 0, let h = hashes[head.seq], !h.elementsEqual(head.hash) {
                return .broken(Failure(file: directory + "/" + AuditFiles.headName, line: 1,
                                       reason: "audit.head names a record \(head.seq) with another hash"))
            }
        }
        return .intact(records: records, files: numbers.count, lastHash: String(decoding: prev, as: UTF8.self))
    }

    /// `audit.head`'s sequence number and hash, or nil when there is none.
    private static func readHead(_ directory: String) throws -> (seq: UInt64, hash: [UInt8])? {
        let path = directory + "/" + AuditFiles.headName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seq = (object["seq"] as? NSNumber)?.uint64Value, let hash = object["hash"] as? String else {
            throw AuditTrailError("\(path): not an audit head")
        }
        return (seq, Array(hash.utf8))
    }
}
