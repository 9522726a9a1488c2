import CVigil
import Foundation
import TestSupport
import Testing
@testable import VigilLog

/// The drain path's formatter writes, for any record a ring can hold, exactly the line the reference formatting
/// (`DecisionRecord(record, …).appendFields`) writes.
@Suite struct RingRecordFormatterTests {
    static let ring = "vigil-42-1000-1767268800000000000.ring"

    /// A record with the given text fields (cut to each field's room) and the rest of the fields as given.
    static func record(
        texts: [[UInt8]] = [Array("User".utf8), Array("alice".utf8), Array("Action".utf8), Array("view".utf8),
                            Array("Doc".utf8), Array("d1".utf8), []],
        lengths: [UInt8]? = nil, time: Int64 = 1_767_268_800_123_456_789, effect: Int32 = VIGIL_ALLOW,
        reason: Int32 = VIGIL_REASON_POLICIES, kind: Int32 = VIGIL_RING_KIND_DECIDE, determining: [UInt32] = [3],
        determiningCount: UInt32? = nil, truncated: UInt32 = 0, eids: (UInt32, UInt32, UInt32) = (1, 2, 3),
        stepUpLevel: UInt8 = 0, maxAge: UInt32 = .max, batchIndex: UInt32 = 0, status: Int32 = 0
    ) -> vigil_ring_record {
        var r = vigil_ring_record()
        r.rr_time_ns = time
        r.rr_generation = 17
        r.rr_eval_ns = 2345
        r.rr_status = status
        r.rr_effect = UInt8(effect)
        r.rr_reason = UInt8(reason)
        r.rr_kind = UInt8(kind)
        r.rr_step_up_level = stepUpLevel
        r.rr_max_age = maxAge
        r.rr_determining_count = determiningCount ?? UInt32(determining.count)
        r.rr_error_count = 1
        r.rr_truncated = truncated
        (r.rr_principal_eid, r.rr_action_eid, r.rr_resource_eid) = eids
        r.rr_batch_index = batchIndex
        withUnsafeMutableBytes(of: &r.rr_determining) { raw in
            for (i, p) in determining.prefix(8).enumerated() { raw.storeBytes(of: p, toByteOffset: 4 * i, as: UInt32.self) }
        }
        withUnsafeMutableBytes(of: &r) { raw in
            let fields: [PartialKeyPath<vigil_ring_record>] = [\.rr_principal_type, \.rr_principal_id,
                \.rr_action_type, \.rr_action_id, \.rr_resource_type, \.rr_resource_id, \.rr_session]
            let sizes = [40, 80, 40, 64, 40, 80, 56]
            let lenAt = MemoryLayout<vigil_ring_record>.offset(of: \.rr_len)!
            for (f, text) in texts.enumerated() {
                let at = MemoryLayout<vigil_ring_record>.offset(of: fields[f])!
                // Bytes past the length hold an earlier record's text, as in a real ring.
                for i in 0..<sizes[f] { raw[at + i] = UInt8(ascii: "x") }
                for (i, b) in text.prefix(sizes[f]).enumerated() { raw[at + i] = b }
                raw[lenAt + f] = lengths?[f] ?? UInt8(min(text.count, sizes[f]))
            }
        }
        return r
    }

    /// The line fields by the fast formatter and by the reference.
    static func both(_ records: [vigil_ring_record]) -> (fast: String, reference: String) {
        var formatter = RingRecordFormatter()
        var fast = JSONBytes()
        var reference = JSONBytes()
        var ringJSON = JSONBytes()
        ringJSON.string(ring)
        for (i, r) in records.enumerated() {
            withUnsafePointer(to: r) {
                formatter.appendFields($0, ring: ringJSON.buffer, position: UInt64(i), to: &fast)
            }
            DecisionRecord(r, ring: ring, position: UInt64(i), pid: 42).appendFields(to: &reference)
            fast.byte(0x0A)
            reference.byte(0x0A)
        }
        return (fast.text, reference.text)
    }

    @Test func aPlainRecord() {
        let (fast, reference) = Self.both([Self.record()])
        #expect(fast == reference)
        #expect(fast == #""time":"2026-01-01T12:00:00.123456789Z","ring":"vigil-42-1000-1767268800000000000.ring","#
            + #""pos":0,"gen":17,"principal":{"type":"User","id":"alice"},"#
            + #""action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d1"},"#
            + #""effect":"allow","determining":[3],"errors":1,"eval_ns":2345"# + "\n")
    }

    /// `kind` and `reason` are written only when they are not the usual `decide` and `policies`.
    @Test func theUsualKindAndReasonGoWithoutSaying() {
        let (fast, reference) = Self.both([
            Self.record(reason: VIGIL_REASON_SESSION_REVOKED, kind: VIGIL_RING_KIND_BATCH, batchIndex: 3),
            Self.record(kind: VIGIL_RING_KIND_EXPLAIN),
        ])
        #expect(fast == reference)
        let lines = fast.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""gen":17,"kind":"batch","principal""#))
        #expect(lines[0].contains(#""effect":"allow","reason":"session_revoked","determining""#))
        #expect(lines[1].contains(#""kind":"explain""#) && !lines[1].contains(#""reason""#))
    }

    /// Every optional part of a line, and every enum value (unknown bytes included).
    @Test func everyFieldShape() {
        let long = Array(repeating: UInt8(ascii: "i"), count: 200)
        var records: [vigil_ring_record] = []
        records.append(Self.record(texts: [[], [], [], [], [], [], []]))   // empty texts, no session
        records.append(Self.record(texts: [Array("User".utf8), long, Array("Action".utf8), long, Array("Doc".utf8),
                                           long, long], truncated: 0x7F))
        records.append(Self.record(effect: VIGIL_STEP_UP, stepUpLevel: 2, maxAge: 300))
        records.append(Self.record(effect: VIGIL_STEP_UP, stepUpLevel: 3))          // no max age
        records.append(Self.record(effect: VIGIL_DENY, stepUpLevel: 2, maxAge: 300))  // level only for step-up
        records.append(Self.record(effect: 77, reason: 99, kind: 55))
        for reason in [VIGIL_REASON_POLICIES, VIGIL_REASON_SESSION_REVOKED, VIGIL_REASON_SESSION_EXPIRED,
                       VIGIL_REASON_SESSION_UNKNOWN, VIGIL_REASON_ERROR] {
            records.append(Self.record(reason: reason))
        }
        records.append(Self.record(kind: VIGIL_RING_KIND_BATCH, batchIndex: 12))
        records.append(Self.record(kind: VIGIL_RING_KIND_EXPLAIN))
        records.append(Self.record(determining: [], determiningCount: 0))
        records.append(Self.record(determining: Array(0..<8).map { UInt32($0) * 1_000_003 }, determiningCount: 4000))
        records.append(Self.record(determining: [UInt32.max], determiningCount: UInt32.max))
        records.append(Self.record(eids: (VIGIL_RING_NO_EID, 0, VIGIL_RING_NO_EID)))
        records.append(Self.record(truncated: 0x02))   // only the principal id cut
        records.append(Self.record(truncated: 0x10))   // only the resource type cut
        records.append(Self.record(status: -7))
        records.append(Self.record(status: Int32.min))
        // Lengths past their fields (a damaged ring) are capped.
        records.append(Self.record(lengths: [255, 255, 255, 255, 255, 255, 255]))
        var session = Self.record()
        withUnsafeMutableBytes(of: &session) { raw in
            raw[MemoryLayout<vigil_ring_record>.offset(of: \.rr_len)! + 6] = 11
        }
        records.append(session)
        records.append(Self.record(texts: [Array("User".utf8), Array("alice".utf8), Array("Action".utf8),
                                           Array("view".utf8), Array("Doc".utf8), Array("d1".utf8),
                                           Array("sess-1".utf8)], truncated: 0x40))
        let (fast, reference) = Self.both(records)
        #expect(fast == reference)
        #expect(fast.contains(#""session":"sess-1","session_truncated":true"#))
        #expect(fast.contains(#""step_up":{"level":2,"max_age":300}"#))
        #expect(fast.contains(#""batch_index":12"#))
        #expect(fast.contains(#""truncated":true"#))
    }

    /// Texts that need escapes, non-ASCII UTF-8, and invalid UTF-8 (which the reference replaces with U+FFFD).
    @Test(arguments: [
        #"quote " and backslash \ inside"#, "tab\tnew\nline\rcr\u{0}nul\u{1F}", "Zoë, Ωμέγα, 東京, 🦀",
        "\u{7F}del", "a\u{2028}b",
    ])
    func textsNeedingCare(_ id: String) {
        let bytes = Array(id.utf8)
        let (fast, reference) = Self.both([Self.record(texts: [bytes, bytes, bytes, bytes, bytes, bytes, bytes])])
        #expect(fast == reference)
        #expect(!fast.contains("\u{FFFD}"))
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0xA6],
        [0x61, 0x80, 0x62], [0xC3], [0xE6, 0x9D], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x22, 0xFE, 0x5C],
    ] as [[UInt8]])
    func invalidUTF8IsReplacedAsTheReferenceDoes(_ bytes: [UInt8]) {
        let (fast, reference) = Self.both([Self.record(texts: [bytes, bytes, bytes, bytes, bytes, bytes, bytes])])
        #expect(fast == reference)
        #expect(fast.contains("\u{FFFD}"))
    }

    /// Thousands of records with random texts (any byte), lengths, enums, counts and times, some sharing a second.
    @Test func randomRecords() {
        var rng = SplitMix64(seed: 0x5eed)
        var records: [vigil_ring_record] = []
        let alphabets: [[UInt8]] = [Array("abcdefghij-_.:@".utf8), Array("\"\\\n\u{1}/é東🦀".utf8), Array(0...255)]
        for n in 0..<2000 {
            let alphabet = alphabets[Int(rng.next() % 3)]
            let texts = (0..<7).map { _ in
                (0..<Int(rng.next() % 90)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            }
            let time = n % 7 == 0 ? Int64(bitPattern: rng.next()) / 4 : 1_767_268_800_000_000_000 + Int64(n) * 40_000_000
            records.append(Self.record(
                texts: texts, time: time, effect: Int32(rng.next() % 4), reason: Int32(rng.next() % 6),
                kind: Int32(rng.next() % 4), determining: (0..<Int(rng.next() % 10)).map { _ in UInt32(truncatingIfNeeded: rng.next()) },
                truncated: UInt32(rng.next() % 128),
                eids: (rng.next() % 3 == 0 ? VIGIL_RING_NO_EID : 5, 6, rng.next() % 2 == 0 ? VIGIL_RING_NO_EID : 9),
                stepUpLevel: UInt8(rng.next() % 4), maxAge: rng.next() % 2 == 0 ? .max : UInt32(rng.next() % 100_000),
                batchIndex: UInt32(rng.next() % 64), status: -Int32(rng.next() % 12)))
        }
        let (fast, reference) = Self.both(records)
        #expect(fast == reference)
    }

    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var disagreements: [[UInt8]] = []
        func check(_ bytes: [UInt8]) {
            let valid = bytes.withUnsafeBytes { UTF8Check.isValid($0) }
            if valid != (String(validating: bytes, as: UTF8.self) != nil) { disagreements.append(bytes) }
        }
        // Every one- and two-byte sequence, and each followed by continuation bytes and an ASCII tail.
        for a in 0...255 {
            check([UInt8(a)])
            for b in 0...255 {
                check([UInt8(a), UInt8(b)])
                check([UInt8(a), UInt8(b), 0x80])
                check([UInt8(a), UInt8(b), 0x80, 0x80])
                check([UInt8(a), UInt8(b), 0xBF, 0xBF, 0x41])
            }
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            check((0..<Int(rng.next() % 12)).map { _ in UInt8(0x7C &+ UInt8(truncatingIfNeeded: rng.next() % 0x84)) })
        }
        #expect(disagreements.isEmpty)
    }
}

