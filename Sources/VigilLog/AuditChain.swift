import Foundation

/// The audit trail's line format, shared by the writer and the verifier (docs/DECISION_LOG.md, "The audit
/// trail"). A line is
///
///     {<payload fields>,"seq":N,"prev":"<hex>"}
///
/// where `prev` is the SHA-256 of the line before it (every byte but its newline; 64 zeros for the first line of
/// the trail). So each line is bound to all the lines before it: an edited line no longer matches the `prev` of
/// the line after it (or `audit.head`, for the last committed line), and a removed, inserted or reordered line
/// breaks the sequence numbers or the `prev` link of the line that follows.
///
/// The chain's fields come last so that a line's hash can be computed mostly in parallel: the payload's blocks
/// are hashed while the lines before are still being chained, and only the last block or two wait for `prev`.
enum AuditChain {
    /// `prev` of the first line.
    static let genesis = String(repeating: "0", count: 64)
    /// `,"prev":"` + 64 hex digits + `"}`.
    static let prevLength = 9 + 64 + 2

    /// The SHA-256 of `bytes` in hex.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = ChainHasher()
        hasher.update(bytes)
        return [UInt8](unsafeUninitializedCapacity: 64) { hex, initialized in
            hasher.finish(hexInto: hex)
            initialized = 64
        }
    }

    /// A line's parts, once its shape is checked: its sequence number, its `prev` (hex bytes), and its own hash
    /// (hex), which the next line's `prev` must equal.
    struct Parsed {
        var seq: UInt64
        var prev: ArraySlice<UInt8>
        var hash: [UInt8]
    }

    /// Parses one line (without its newline), or nil when it is not a chained record at all. The chain's fields
    /// are read from the end, where the writer put them: nothing in the payload can be mistaken for them.
    static func parse(_ line: ArraySlice<UInt8>) -> Parsed? {
        let s = line.startIndex
        guard line.count >= #"{"seq":0"#.utf8.count + prevLength, line[s] == UInt8(ascii: "{") else { return nil }
        let prevAt = line.endIndex - prevLength
        guard line[prevAt..<prevAt + 9].elementsEqual(#","prev":""#.utf8),
              line[line.endIndex - 2] == UInt8(ascii: "\""), line[line.endIndex - 1] == UInt8(ascii: "}") else {
            return nil
        }
        let prev = line[prevAt + 9..<prevAt + 9 + 64]
        guard prev.allSatisfy(isHex) else { return nil }
        // The digits of `seq`, backwards from `prev`: at most 20, and no leading zero.
        var i = prevAt
        while i > s, i > prevAt - 21, digit(line[i - 1]) != nil { i -= 1 }
        let digits = line[i..<prevAt]
        let key = #""seq":"#.utf8
        guard !digits.isEmpty, digits.count == 1 || digits.first != UInt8(ascii: "0"), i - s >= key.count + 1,
              line[(i - key.count)..<i].elementsEqual(key) else { return nil }
        // Before `"seq":`, the comma after the payload, or the line's `{` when there is no payload.
        let before = i - key.count - 1
        guard line[before] == UInt8(ascii: ",") && before > s || line[before] == UInt8(ascii: "{") && before == s
        else { return nil }
        var seq: UInt64 = 0
        for c in digits {
            let (m, o1) = seq.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(digit(c)!)
            guard !o1 && !o2 else { return nil }
            seq = a
        }
        return Parsed(seq: seq, prev: prev, hash: line.withUnsafeBytes { Self.hash($0) })
    }

    private static func digit(_ c: UInt8) -> UInt64? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? UInt64(c - UInt8(ascii: "0")) : nil
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }
}

/// The trail's files: `audit-000001.jsonl`, `audit-000002.jsonl`, … in one directory, `audit.head` and
/// `audit.lock`.
enum AuditFiles {
    static let headName = "audit.head"
    static let lockName = "audit.lock"

    static func name(_ number: Int) -> String {
        let digits = String(number)
        return "audit-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jsonl"
    }

    /// The number in a trail file's name, or nil for any other file.
    static func number(_ name: String) -> Int? {
        guard name.hasPrefix("audit-"), name.hasSuffix(".jsonl") else { return nil }
        let digits = name.dropFirst(6).dropLast(6)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n > 0 else { return nil }
        return n
    }

    /// `audit.head`'s sequence number and hash, or nil when there is none.
    static func readHead(_ directory: String) throws -> (seq: UInt64, hash: [UInt8])? {
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
