import Foundation
import Testing
@testable import VigilLog

/// Records for trails: deterministic, each a little different.
func sampleRecord(_ i: Int, effect: DecisionRecord.Effect = .allow) -> DecisionRecord {
    DecisionRecord(
        ring: "vigil-42-1000-1.ring", position: UInt64(i), pid: 42, timeNs: 1_767_268_800_000_000_000 + Int64(i),
        generation: 7, evaluationNs: 2500, effect: effect, determining: [UInt32(i % 3)],
        principal: .init(type: "User", id: "user\(i)", eid: UInt32(i)), action: .init(type: "Action", id: "view"),
        resource: .init(type: "Doc", id: "doc-\(i)"))
}

/// A temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

/// The lines of a trail file (without newlines).
func lines(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        .dropLast().map(String.init)
}

/// A trail of `records` sample records, committed and closed.
func writeClosedTrail(records: Int, in dir: String) throws {
    let trail = try AuditTrail(directory: dir, sync: .never)
    for i in 1...records { trail.append(sampleRecord(i)) }
    try trail.commit()
}

func write(_ lines: [String], to path: String) throws {
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
}

@Suite struct AuditTrailTests {
    @Test func anIntactTrailVerifies() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trail = try AuditTrail(directory: dir, sync: .never)
        for i in 1...10 { trail.append(sampleRecord(i)) }
        try trail.commit()
        #expect(trail.lastSequence == 10)
        let result = try AuditVerifier.verify(directory: dir)
        #expect(result == .intact(records: 10, files: 1, lastHash: trail.lastHash))
        let first = try lines(dir + "/audit-000001.jsonl")[0]
        #expect(first.hasPrefix(#"{"time":"2026-01-01T12:00:00.000000001Z","#))
        #expect(first.hasSuffix(#","seq":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#))
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(object?["effect"] as? String == "allow")
        #expect(object?["seq"] as? Int == 1 && object?["hash"] == nil)
        // Each line's prev is the SHA-256 of the line before, every byte but the newline.
        let second = try lines(dir + "/audit-000001.jsonl")[1]
        let firstHash = String(decoding: Array(first.utf8).withUnsafeBytes { AuditChain.hash($0) }, as: UTF8.self)
        #expect(second.hasSuffix(#""prev":"\#(firstHash)"}"#))
        // Modes: files 0640.
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/audit-000001.jsonl")[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o640)
    }

    /// Each kind of tampering is found at the line that shows it.
    @Test(arguments: ["edited", "last edited", "removed", "inserted", "reordered", "truncated", "forged"])
    func tamperingIsFound(_ kind: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trail = try AuditTrail(directory: dir, sync: .never)
        for i in 1...10 { trail.append(sampleRecord(i)) }
        try trail.commit()
        let path = dir + "/audit-000001.jsonl"
        var l = try lines(path)
        let expected: (line: Int, reason: String)
        switch kind {
        case "edited":
            // Found by the next line's prev, and reported at the edited line.
            l[4] = l[4].replacingOccurrences(of: #""effect":"allow""#, with: #""effect":"deny""#)
            expected = (5, "record edited")
        case "last edited":
            // No line follows: audit.head anchors it.
            l[9] = l[9].replacingOccurrences(of: #""effect":"allow""#, with: #""effect":"deny""#)
            expected = (10, "does not match audit.head")
        case "removed":
            l.remove(at: 4)
            expected = (5, "1 record(s) missing before this one")
        case "inserted":
            l.insert(l[2], at: 6)
            expected = (7, "record inserted or out of order")
        case "reordered":
            l.swapAt(3, 4)
            expected = (4, "missing before this one")
        case "truncated":
            l.removeLast(2)
            expected = (9, "2 record(s) removed from the end")
        default:
            // A line replaced by another, properly chained to the lines before it (same sequence number, same
            // prev), still breaks the link from the next line.
            let fake = sampleRecord(5, effect: .deny)
            let other = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: other) }
            let copy = try AuditTrail(directory: other, sync: .never)
            for i in 1...4 { copy.append(sampleRecord(i)) }
            copy.append(fake)
            try copy.commit()
            l[4] = try lines(other + "/audit-000001.jsonl")[4]
            #expect(l[4].contains(#""effect":"deny""#))
            expected = (5, "record edited")
        }
        try write(l, to: path)
        let result = try AuditVerifier.verify(directory: dir)
        guard case .broken(let failure) = result else {
            Issue.record("\(kind): verified intact")
            return
        }
        #expect(failure.file == path)
        #expect(failure.line == expected.line, "\(kind): \(failure)")
        #expect(failure.reason.contains(expected.reason), "\(kind): \(failure)")
    }

    @Test func rotationKeepsTheChainAcrossFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trail = try AuditTrail(directory: dir, maxFileBytes: 4096, sync: .everyCommit)
        for i in 1...40 {
            trail.append(sampleRecord(i))
            if i % 7 == 0 { try trail.commit() }
        }
        try trail.commit()
        let files = try AuditTrail.fileNumbers(dir)
        #expect(files.count > 2)
        #expect(files == Array(1...files.count))
        for n in files {
            let size = try FileManager.default.attributesOfItem(atPath: dir + "/" + AuditFiles.name(n))[.size] as? Int
            #expect((size ?? 0) <= 4096 && (size ?? 0) > 0)
        }
        // The first line of file 2 carries the hash of the last line of file 1.
        let last = try lines(dir + "/audit-000001.jsonl").last ?? ""
        let next = try lines(dir + "/audit-000002.jsonl").first ?? ""
        let hash = String(decoding: Array(last.utf8).withUnsafeBytes { AuditChain.hash($0) }, as: UTF8.self)
        #expect(next.contains(#""prev":"\#(hash)""#))
        #expect(try AuditVerifier.verify(directory: dir) == .intact(records: 40, files: files.count,
                                                                     lastHash: trail.lastHash))
        // Removing a middle file is found at the first line of the next.
        try FileManager.default.removeItem(atPath: dir + "/audit-000002.jsonl")
        guard case .broken(let failure) = try AuditVerifier.verify(directory: dir) else {
            Issue.record("a missing file verified")
            return
        }
        #expect(failure.file.hasSuffix("audit-000003.jsonl") && failure.line == 1)
    }

    /// With `.everyCommit`, files the trail rotates past are synced by the next checkpoint (on the drain's sync
    /// queue), not at rotation; past `maxRotatedUnsynced` of them, at rotation. A checkpoint whose sync fails
    /// hands its rotated files back, and the next commit syncs them and moves `audit.head` past them.
    @Test func rotatedFilesAreSyncedByTheNextCheckpoint() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trail = try AuditTrail(directory: dir, maxFileBytes: 4096, sync: .everyCommit)
        for i in 1...30 { trail.append(sampleRecord(i)) }
        guard let first = try trail.flush() else { Issue.record("nothing to sync"); return }
        let (firstFile, firstEarlier, firstDirectory) = (first.fileNumber, first.earlier.map(\.fileNumber),
                                                         first.syncDirectory)
        #expect(firstFile > 2 && firstEarlier == Array(1..<firstFile) && firstDirectory)
        // audit.head is replaced through audit.head.tmp: a directory there makes that fail, even for root.
        let blocker = dir + "/audit.head.tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        do {
            try trail.sync(first)
            Issue.record("synced through a blocked audit.head")
        } catch {}
        try FileManager.default.removeItem(atPath: blocker)
        // More rotations than are left open: the oldest are synced at rotation, the rest by the checkpoint.
        for i in 31...400 { trail.append(sampleRecord(i)) }
        guard let second = try trail.flush() else { Issue.record("nothing to sync"); return }
        let (secondFile, secondEarlier) = (second.fileNumber, second.earlier.map(\.fileNumber))
        #expect(secondFile > AuditTrail.maxRotatedUnsynced + firstFile)
        #expect(!secondEarlier.isEmpty && secondEarlier.count <= AuditTrail.maxRotatedUnsynced)
        #expect(secondEarlier == Array((secondFile - secondEarlier.count)..<secondFile))
        try trail.sync(second)
        #expect(try AuditFiles.readHead(dir)?.seq == 400)
        let files = try AuditTrail.fileNumbers(dir)
        #expect(files.count == secondFile)
        #expect(try AuditVerifier.verify(directory: dir) == .intact(records: 400, files: files.count,
                                                                     lastHash: trail.lastHash))
    }

    @Test func reopeningContinuesTheChain() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeClosedTrail(records: 3, in: dir)
        // A crash in the middle of a write leaves a partial line: it is cut off on open.
        let path = dir + "/audit-000001.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":4,"prev":"abc"#.utf8))
        try handle.close()
        let trail = try AuditTrail(directory: dir, sync: .never)
        #expect(trail.lastSequence == 3)
        trail.append(sampleRecord(4))
        try trail.append(object: #"{"event":"publish","generation":8}"#)
        try trail.commit()
        #expect(try AuditVerifier.verify(directory: dir) == .intact(records: 5, files: 1, lastHash: trail.lastHash))
        #expect(try lines(path).last?.contains(#""prev":"#) == true)
        #expect(try lines(path).last?.hasPrefix(#"{"event":"publish","generation":8,"seq":5,"prev":""#) == true)
    }

    /// A last line changed while no writer ran is not chained on from (which would make it look intact).
    @Test func aLastLineThatDoesNotMatchTheHeadIsRefusedOnOpen() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeClosedTrail(records: 3, in: dir)
        let path = dir + "/audit-000001.jsonl"
        var l = try lines(path)
        l[2] = l[2].replacingOccurrences(of: #""effect":"allow""#, with: #""effect":"deny""#)
        try write(l, to: path)
        #expect(throws: AuditTrailError.self) { _ = try AuditTrail(directory: dir, sync: .never) }
    }

    @Test func oneWriterPerTrail() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var first: AuditTrail? = try AuditTrail(directory: dir, sync: .never)
        #expect(throws: AuditTrailError.self) { _ = try AuditTrail(directory: dir, sync: .never) }
        first?.append(sampleRecord(1))
        try first?.commit()
        first = nil
        let second = try AuditTrail(directory: dir, sync: .never)
        #expect(second.lastSequence == 1)
    }

    @Test func eventsMustBeOneObjectOnOneLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trail = try AuditTrail(directory: dir, sync: .never)
        #expect(throws: AuditTrailError.self) { try trail.append(object: "[1]") }
        #expect(throws: AuditTrailError.self) { try trail.append(object: "{\"a\":\n1}") }
        try trail.append(object: "{}")
        try trail.commit()
        #expect(try AuditVerifier.verify(directory: dir) == .intact(records: 1, files: 1, lastHash: trail.lastHash))
    }

    @Test func aDamagedLastLineIsRefusedOnOpen() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(["{\"seq\":1,\"not\":\"chained\"}"], to: dir + "/audit-000001.jsonl")
        #expect(throws: AuditTrailError.self) { _ = try AuditTrail(directory: dir) }
        guard case .broken(let failure) = try AuditVerifier.verify(directory: dir) else {
            Issue.record("verified")
            return
        }
        #expect(failure.line == 1 && failure.reason.contains("not a chained audit record"))
    }
}

@Suite struct DecisionRecordJSONTests {
    @Test func jsonLineHasEveryField() throws {
        var r = sampleRecord(3)
        r.effect = .stepUp
        r.stepUpLevel = 2
        r.maxAge = 300
        r.sessionID = "s\"1\n"
        r.kind = .batch
        r.batchIndex = 4
        r.principal.truncated = true
        let line = r.jsonLine()
        #expect(!line.contains("\n"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(o["time"] as? String == "2026-01-01T12:00:00.000000003Z")
        #expect(o["session"] as? String == "s\"1\n")
        #expect(o["effect"] as? String == "step_up")
        #expect((o["step_up"] as? [String: Any])?["max_age"] as? Int == 300)
        #expect(o["batch_index"] as? Int == 4 && o["kind"] as? String == "batch")
        let p = try #require(o["principal"] as? [String: Any])
        #expect(p["id"] as? String == "user3" && p["eid"] == nil && p["truncated"] as? Bool == true)
        #expect(o["determining"] as? [Int] == [0] && o["eval_ns"] as? Int == 2500)
        // Left out while they say nothing: all determining policies listed, no errors, status 0.
        #expect(o["determining_count"] == nil && o["errors"] == nil && o["status"] == nil)
        r.determiningCount = 12
        r.errorCount = 2
        r.status = -3
        let full = try #require(try JSONSerialization.jsonObject(with: Data(r.jsonLine().utf8)) as? [String: Any])
        #expect(full["determining_count"] as? Int == 12 && full["errors"] as? Int == 2 && full["status"] as? Int == -3)
        #expect(line.hasPrefix(#"{"time":"#))
    }

    @Test func timestampsBeforeAndAfterTheEpoch() {
        var out = JSONBytes()
        out.timestamp(0)
        out.timestamp(-1)
        out.timestamp(951_782_400_000_000_000)   // 2000-02-29
        #expect(out.text ==
                #""1970-01-01T00:00:00.000000000Z""1969-12-31T23:59:59.999999999Z""2000-02-29T00:00:00.000000000Z""#)
    }

    @Test func controlCharactersAreEscaped() {
        var out = JSONBytes()
        out.string("a\u{1}b\\c\té")
        #expect(out.text == #""a\u0001b\\c\té""#)
    }
}

@Suite struct DecisionRecordNameTests {
    /// The formatter's static names are the enums' raw values, which consumers match on.
    @Test func staticNamesMatchRawValues() {
        for e in [DecisionRecord.Effect.allow, .deny, .stepUp] { #expect(e.json.description == e.rawValue) }
        for r in [DecisionRecord.Reason.policies, .sessionRevoked, .sessionExpired, .sessionUnknown, .error] {
            #expect(r.json.description == r.rawValue)
        }
        for k in [DecisionRecord.Kind.decide, .batch, .explain] { #expect(k.json.description == k.rawValue) }
    }
}
