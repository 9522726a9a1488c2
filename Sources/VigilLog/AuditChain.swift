import Crypto

/// The audit trail's line format, shared by the writer and the verifier (docs/DECISION_LOG.md, "The audit
/// trail"). A line is
///
///     {"seq":N,"prev":"<hex>",<payload fields>,"hash":"<hex>"}
///
/// where `hash` is the SHA-256 of every byte before `,"hash":` and `prev` is the previous line's `hash` (64
/// zeros for the first line of the trail). So each line is bound to all the lines before it: an edited line
/// no longer matches its own hash, and a removed, inserted or reordered line breaks the sequence numbers or
/// the `prev` link of the line that follows.
enum AuditChain {
    /// `prev` of the first line.
    static let genesis = String(repeating: "0", count: 64)
    /// `,"hash":"` + 64 hex digits + `"}`.
    static let suffixLength = 9 + 64 + 2
    static let hashKey: [UInt8] = Array(#","hash":""#.utf8)

    /// The SHA-256 of `bytes`.
    static func digest(_ bytes: UnsafeRawBufferPointer) -> SHA256.Digest {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize()
    }

    /// The SHA-256 of `bytes` in hex.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        digest(bytes).withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: 2 * raw.count) { hex, initialized in
                for (i, b) in raw.enumerated() {
                    hex[2 * i] = JSONBytes.hexDigit(b >> 4)
                    hex[2 * i + 1] = JSONBytes.hexDigit(b & 0xF)
                }
                initialized = 2 * raw.count
            }
        }
    }

    /// A line's parts, once its shape is checked: its sequence number, its `prev` and its `hash` (hex bytes),
    /// and whether `hash` is the SHA-256 of the line before it.
    struct Parsed {
        var seq: UInt64
        var prev: ArraySlice<UInt8>
        var hash: ArraySlice<UInt8>
        var hashMatches: Bool
    }

    /// Parses one line (without its newline), or nil when it is not a chained record at all.
    static func parse(_ line: ArraySlice<UInt8>) -> Parsed? {
        let n = line.count
        guard n > suffixLength + 20 else { return nil }
        let s = line.startIndex
        let suffixStart = line.endIndex - suffixLength
        guard line[suffixStart..<suffixStart + 9].elementsEqual(hashKey),
              line[line.endIndex - 2] == UInt8(ascii: "\""), line[line.endIndex - 1] == UInt8(ascii: "}"),
              line[s..<s + 7].elementsEqual(#"{"seq":"#.utf8) else { return nil }
        var i = s + 7
        var seq: UInt64 = 0
        while i < suffixStart, let d = digit(line[i]) {
            let (m, o1) = seq.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            guard !o1 && !o2 else { return nil }
            seq = a
            i += 1
        }
        guard i > s + 7, i + 9 + 64 + 1 <= suffixStart, line[i..<i + 9].elementsEqual(#","prev":""#.utf8),
              line[i + 9 + 64] == UInt8(ascii: "\"") else { return nil }
        let prev = line[i + 9..<i + 9 + 64]
        let hash = line[suffixStart + 9..<suffixStart + 9 + 64]
        guard prev.allSatisfy(isHex), hash.allSatisfy(isHex) else { return nil }
        let computed = line[s..<suffixStart].withUnsafeBytes { Self.hash($0) }
        return Parsed(seq: seq, prev: prev, hash: hash, hashMatches: computed.elementsEqual(hash))
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
}
