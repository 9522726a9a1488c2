import CVigil
import Foundation
import Synchronization

/// Why the audit trail could not be opened or written.
public struct AuditTrailError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }

    static func posix(_ what: String, _ path: String) -> AuditTrailError {
        AuditTrailError("\(path): \(what): \(String(cString: strerror(errno)))")
    }
}

/// The append-only, hash-chained audit trail: JSON lines in `audit-000001.jsonl`, `audit-000002.jsonl`, … in one
/// directory, each line carrying the SHA-256 of the line before it (docs/DECISION_LOG.md), rotated to a new file
/// when the current one would pass `maxFileBytes`, the chain continuing across files. `AuditVerifier` checks it.
///
/// `append` only formats and chains a line in memory; `commit` writes what was appended, syncs it to disk (with
/// `.everyCommit`), and records the last line's sequence number and hash in `audit.head`, so that lines removed
/// from the end are detected too. Call `commit` once per drain (see `RingDrainer.drain`), not per record: it
/// costs an `fsync`.
///
/// Opening an existing trail continues its chain after its last complete line; a last line left half-written by
/// a crash is cut off first (its records were not released from their rings, so they are drained again).
/// Thread-safe: calls are serialized. Files are created 0640, the directory 0750.
public final class AuditTrail: Sendable {
    /// When `commit` forces data to disk.
    public enum SyncPolicy: Sendable {
        /// `fsync` the file (and the directory after a rotation, and `audit.head`) on every commit: a committed
        /// record survives a power loss.
        case everyCommit
        /// Leave writing back to the operating system: a committed record survives a crash of the process, not of
        /// the machine. For benchmarks and tests.
        case never
    }

    public let directory: String
    public let maxFileBytes: Int
    public let sync: SyncPolicy
    private let state: Mutex<State>

    /// The longest line accepted (`append(object:)`).
    public static let maxLineBytes = 1 << 20

    private struct State: ~Copyable {
        /// `audit.lock`, held (flock) for the trail's lifetime: one writer per trail.
        let lock: Int32
        var fileNumber: Int
        var fd: Int32
        var fileBytes: Int
        /// Bytes of the current file whose write to disk has been started (`sync_file_range`).
        var writebackStarted = 0
        var seq: UInt64
        var lastHash: [UInt8]
        var pending = JSONBytes(capacity: 1 << 20)
        var lineEnds: [Int] = []
        /// Lines were written since the last commit's sync and `audit.head`.
        var unsynced = false
        /// With `.everyCommit`, files rotated past since the last checkpoint, oldest first, still open: the next
        /// checkpoint syncs them (with the directory, `directoryUnsynced`) before its own file. Syncing a file at
        /// rotation, and the directory after creating the next, stalled the drain on the disk for tens of
        /// milliseconds per rotation; the checkpoint's sync runs on the sync queue while the drain goes on.
        var rotated: [RotatedFile] = []
        /// A trail file was created since the last checkpoint: its directory entry is not durable yet.
        var directoryUnsynced = false

        init(lock: Int32, fileNumber: Int, fd: Int32, fileBytes: Int, seq: UInt64, lastHash: [UInt8]) {
            (self.lock, self.fileNumber, self.fd, self.fileBytes, self.seq, self.lastHash) =
                (lock, fileNumber, fd, fileBytes, seq, lastHash)
        }

        deinit {
            close(fd)
            for file in rotated { close(file.fd) }
            close(lock)
        }
    }

    /// A trail file the trail rotated past, open until it is synced.
    struct RotatedFile: Sendable {
        let fd: Int32
        let fileNumber: Int
    }

    /// The most rotated files left open for the next checkpoint: past this (a small `maxFileBytes`), rotating
    /// syncs and closes them at once rather than hold a descriptor per file.
    static let maxRotatedUnsynced = 16

    /// Opens the trail in `directory` (created when missing), continuing its chain.
    /// - Parameters:
    ///   - maxFileBytes: a file is rotated before a line would take it past this size (a longer line gets a file
    ///     of its own).
    ///   - sync: when commits reach the disk.
    /// - Throws: `AuditTrailError` when another `AuditTrail` (in any process) has the trail open, when the
    ///   directory or the last file cannot be read or written, or when the last line is not a chained record
    ///   (run `vigil audit verify`).
    public init(directory: String, maxFileBytes: Int = 64 << 20, sync: SyncPolicy = .everyCommit) throws {
        self.directory = directory
        self.maxFileBytes = max(4096, maxFileBytes)
        self.sync = sync
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw AuditTrailError("\(directory): cannot create the audit directory: \(error.localizedDescription)")
        }
        // Two writers would interleave two chains: the second one is refused.
        let lockPath = directory + "/" + AuditFiles.lockName
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard lock >= 0 else { throw AuditTrailError.posix("open", lockPath) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw AuditTrailError("\(directory): the audit trail is open in another writer (vigild or vigil audit drain)")
        }
        var fd: Int32 = -1
        do {
            let numbers = try Self.fileNumbers(directory)
            guard let last = numbers.last else {
                fd = try Self.create(directory, 1, syncDirectory: sync == .everyCommit)
                state = Mutex(State(lock: lock, fileNumber: 1, fd: fd, fileBytes: 0, seq: 0,
                                    lastHash: Array(AuditChain.genesis.utf8)))
                return
            }
            let path = directory + "/" + AuditFiles.name(last)
            fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { throw AuditTrailError.posix("open", path) }
            let size = try Self.cutPartialLine(fd, path)
            var tail: (seq: UInt64, hash: [UInt8])?
            for n in numbers.reversed() where tail == nil {
                tail = try Self.lastRecord(directory + "/" + AuditFiles.name(n))
            }
            // A last line that audit.head names with another hash was changed while no writer ran: chaining on
            // from it would make the change look intact.
            if let tail, let head = try AuditFiles.readHead(directory), head.seq == tail.seq, head.hash != tail.hash {
                throw AuditTrailError("\(path): the last line does not match audit.head; run `vigil audit verify`")
            }
            state = Mutex(State(lock: lock, fileNumber: last, fd: fd, fileBytes: size, seq: tail?.seq ?? 0,
                                lastHash: tail?.hash ?? Array(AuditChain.genesis.utf8)))
        } catch {
            if fd >= 0 { close(fd) }
            close(lock)
            throw error
        }
    }

    /// The sequence number of the last line appended (0 for an empty trail).
    public var lastSequence: UInt64 { state.withLock { $0.seq } }

    /// The hash of the last line appended (64 hex digits; zeros for an empty trail).
    public var lastHash: String { state.withLock { String(decoding: $0.lastHash, as: UTF8.self) } }

    /// Appends a decision as the next line (in memory until `commit`).
    public func append(_ record: DecisionRecord) {
        state.withLock { state in
            Self.chain(&state) { record.appendFields(to: &$0) }
        }
    }

    /// Appends another kind of event as the next line (in memory until `commit`): `object` is the text of one
    /// JSON object (the caller's to make valid), whose fields follow `seq` and `prev` in the line.
    /// - Throws: `AuditTrailError` when it is not `{…}` on one line, or is longer than `maxLineBytes`.
    public func append(object: String) throws {
        var text = object
        try text.withUTF8 { utf8 in
            guard utf8.count >= 2, utf8.count <= Self.maxLineBytes, utf8.first == UInt8(ascii: "{"),
                  utf8.last == UInt8(ascii: "}"), !utf8.contains(0x0A), !utf8.contains(0x0D) else {
                throw AuditTrailError("an audit event must be one JSON object on one line")
            }
            let inner = Array(utf8[1..<utf8.count - 1])
            state.withLock { state in
                Self.chain(&state) { $0.bytes(inner) }
            }
        }
    }

    /// Appends lines whose payloads are already formatted and hashed (the drain path, `LinePipeline`), one per
    /// payload: only the chain's fields are added and hashed here. Once a megabyte is pending it is written to the
    /// file ahead of `commit`, and with `.everyCommit` the disk write is started (`sync_file_range`), so that the
    /// disk works while the next lines are formatted and the commit's `fsync` waits only for the last ones.
    /// `audit.head` still moves only at `commit`; lines written early whose commit never comes (a crash) are in
    /// the trail, and their records, never released, are drained again: at least once, as for a crash during
    /// `commit`.
    /// - Throws: `AuditTrailError` when writing fails (the lines stay pending, as with `commit`).
    func append(formatted lines: FormattedLines) throws {
        try state.withLock { state in
            var start = 0
            for (k, end) in lines.ends.enumerated() {
                let line = state.pending.count
                state.pending.byte(UInt8(ascii: "{"))
                state.pending.bytes(UnsafeRawBufferPointer(rebasing: lines.bytes.buffer[start..<end]))
                Self.endLine(&state, start: line, hasher: lines.hasher(k), hashedTo: state.pending.count)
                start = end
            }
            guard state.pending.count >= Self.earlyWriteBytes else { return }
            try writePending(&state)
            // Whole pages only, and only new ones: a page under writeback cannot be written until its I/O is
            // done, so starting the file's last, partial page would stall the next append on the disk.
            let end = state.fileBytes & ~(Self.pageBytes - 1)
            if sync == .everyCommit, end > state.writebackStarted, let startWriteback = Self.startWriteback {
                _ = startWriteback(state.fd, Int64(state.writebackStarted), Int64(end - state.writebackStarted), 2)
                // Pages whose writeback started a few megabytes ago are clean by now: let them go.
                Self.release(state.fd, upTo: state.writebackStarted - Self.earlyWriteBytes * 4)
                state.writebackStarted = end
            }
        }
    }

    /// Pending bytes the drain path writes ahead of `commit`.
    static let earlyWriteBytes = 1 << 20

    /// Drops the file's clean cached pages before `offset` (all of them for nil). A trail is written once and
    /// read back rarely, by `vigil audit verify`: its pages only crowd the page cache, and each megabyte written
    /// into freshly allocated memory costs more than into pages just given back.
    private static func release(_ fd: Int32, upTo offset: Int?) {
        guard offset.map({ $0 > 0 }) ?? true else { return }
        _ = posix_fadvise(fd, 0, off_t(offset ?? 0), POSIX_FADV_DONTNEED)
    }
    /// The page size writeback is started in multiples of (4 KiB or a multiple of it everywhere Linux runs).
    private static let pageBytes = Int(getpagesize())

    /// Linux's `sync_file_range`, called as `(fd, offset, bytes, SYNC_FILE_RANGE_WRITE = 2)`: starts writing
    /// that range's dirty pages to disk without waiting. Glibc declares it only under `_GNU_SOURCE`, which Swift's Glibc
    /// module does not define, so it is looked up by name; nil where there is none (the `fsync` then does it all).
    private static let startWriteback: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()

    /// Formats line seq+1 around the fields `fields` writes, and chains it.
    private static func chain(_ state: inout State, _ fields: (inout JSONBytes) -> Void) {
        let start = state.pending.count
        state.pending.byte(UInt8(ascii: "{"))
        fields(&state.pending)
        endLine(&state, start: start, hasher: ChainHasher(), hashedTo: start)
    }

    /// Ends line seq+1, which starts at `start` in `pending` with its `{` and payload: writes the chain's fields
    /// (`"seq":N,"prev":"…"}`), feeds `hasher` the line's bytes from `hashedTo` on (it has seen those before),
    /// and moves the chain on to the line's hash.
    private static func endLine(_ state: inout State, start: Int, hasher: consuming ChainHasher, hashedTo: Int) {
        if state.pending.count > start + 1 { state.pending.byte(UInt8(ascii: ",")) }
        state.pending.raw("\"seq\":")
        state.pending.unsigned(state.seq + 1)
        state.pending.raw(",\"prev\":\"")
        state.pending.bytes(state.lastHash)
        state.pending.raw("\"}")
        var hasher = hasher
        hasher.update(UnsafeRawBufferPointer(rebasing: state.pending.buffer[hashedTo...]))
        state.lastHash.withUnsafeMutableBufferPointer { hasher.finish(hexInto: $0) }
        state.pending.byte(0x0A)
        state.lineEnds.append(state.pending.count)
        state.seq += 1
    }

    /// Writes every line appended since the last commit, rotating files by size, syncs per the policy, and
    /// records the last line in `audit.head`.
    /// - Throws: `AuditTrailError` on a write or sync failure; lines not yet written stay pending, so a later
    ///   commit retries them.
    public func commit() throws {
        if let checkpoint = try flush() { try sync(checkpoint) }
    }

    /// The lines written up to a `flush`, to be made durable by `sync`.
    struct Checkpoint: ~Copyable, Sendable {
        /// The file the last line is in, duplicated: the trail may rotate to the next file meanwhile.
        let fd: Int32
        let fileNumber: Int
        let seq: UInt64
        let hash: [UInt8]
        /// Files rotated past since the checkpoint before, oldest first: synced before `fd`.
        var earlier: [RotatedFile]
        /// A file was created since the checkpoint before: the directory is synced too.
        var syncDirectory: Bool

        deinit {
            close(fd)
            for file in earlier { close(file.fd) }
        }
    }

    /// The first half of `commit`: writes every line appended since the last commit to the files, and returns
    /// what `sync` must make durable (nil when nothing was written since the last checkpoint). Lines may be
    /// appended while the checkpoint is synced on another thread.
    /// - Throws: `AuditTrailError` on a write failure (the lines stay pending).
    func flush() throws -> Checkpoint? {
        try state.withLock { state in
            try writePending(&state)
            guard state.unsynced else { return nil }
            let fd = dup(state.fd)
            guard fd >= 0 else { throw AuditTrailError.posix("dup", directory + "/" + AuditFiles.name(state.fileNumber)) }
            state.unsynced = false
            let checkpoint = Checkpoint(fd: fd, fileNumber: state.fileNumber, seq: state.seq, hash: state.lastHash,
                                        earlier: state.rotated, syncDirectory: state.directoryUnsynced)
            (state.rotated, state.directoryUnsynced) = ([], false)
            return checkpoint
        }
    }

    /// The second half of `commit`: syncs (per the policy) the files the trail rotated past since the last
    /// checkpoint, the directory if a file was created, and the checkpoint's file, then records its last line in
    /// `audit.head`. Checkpoints must be synced in the order they were flushed, one at a time.
    /// - Throws: `AuditTrailError` when a sync or `audit.head` fails: the lines are in the files but may not be
    ///   durable; the next checkpoint's sync covers them again.
    func sync(_ checkpoint: consuming Checkpoint) throws {
        do {
            if sync == .everyCommit {
                for file in checkpoint.earlier { try syncFile(file.fd, file.fileNumber) }
                if checkpoint.syncDirectory { Self.syncDirectory(directory) }
                try syncFile(checkpoint.fd, checkpoint.fileNumber)
            }
            try writeHead(seq: checkpoint.seq, hash: checkpoint.hash, fileNumber: checkpoint.fileNumber)
        } catch {
            // The next flush makes a checkpoint even with no new line, so that a later commit retries, the
            // rotated files and the directory included.
            let (earlier, directoryUnsynced) = (checkpoint.earlier, checkpoint.syncDirectory)
            checkpoint.earlier = []
            state.withLock { state in
                state.unsynced = true
                state.rotated = earlier + state.rotated
                state.directoryUnsynced = state.directoryUnsynced || directoryUnsynced
            }
            throw error
        }
    }

    /// `fsync`s trail file `fileNumber` open as `fd`, then drops its pages from the cache.
    private func syncFile(_ fd: Int32, _ fileNumber: Int) throws {
        guard fsync(fd) == 0 else { throw AuditTrailError.posix("fsync", directory + "/" + AuditFiles.name(fileNumber)) }
        Self.release(fd, upTo: nil)
    }

    /// Makes the directory's entries (a new trail file) durable; best effort, as a directory may not be openable.
    private static func syncDirectory(_ directory: String) {
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return }
        _ = fsync(dir)
        close(dir)
    }

    /// Writes the lines in `pending` to the files, rotating by size; lines not written (an error) stay pending.
    private func writePending(_ state: inout State) throws {
        guard !state.lineEnds.isEmpty else { return }
        var written = 0    // bytes of pending already in files
        var chunkEnd = 0
        defer {
            state.pending.removeFirst(written)
            state.lineEnds = state.lineEnds.compactMap { $0 > written ? $0 - written : nil }
        }
        state.unsynced = true
        for end in state.lineEnds {
            let lineLength = end - chunkEnd
            if state.fileBytes + (chunkEnd - written) + lineLength > maxFileBytes
                && state.fileBytes + (chunkEnd - written) > 0 {
                try write(&state, from: written, to: chunkEnd)
                written = chunkEnd
                try rotate(&state)
            }
            chunkEnd = end
        }
        try write(&state, from: written, to: chunkEnd)
        written = chunkEnd
    }

    private func write(_ state: inout State, from: Int, to: Int) throws {
        guard to > from else { return }
        let path = directory + "/" + AuditFiles.name(state.fileNumber)
        let raw = UnsafeRawBufferPointer(rebasing: state.pending.buffer[from..<to])
        var offset = 0
        while offset < raw.count {
            let n = Foundation.write(state.fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                // Leave no partial line behind: the lines stay pending for the next commit.
                _ = ftruncate(state.fd, off_t(state.fileBytes))
                throw AuditTrailError.posix("write", path)
            }
            offset += n
        }
        state.fileBytes += to - from
    }

    /// Moves on to the next file. With `.everyCommit` the file left behind, and the directory, are synced by the
    /// next checkpoint (`sync`), or here once `maxRotatedUnsynced` files wait.
    private func rotate(_ state: inout State) throws {
        if sync == .everyCommit && state.rotated.count >= Self.maxRotatedUnsynced {
            for file in state.rotated { try syncFile(file.fd, file.fileNumber) }
            Self.syncDirectory(directory)
            for file in state.rotated { close(file.fd) }
            (state.rotated, state.directoryUnsynced) = ([], false)
        }
        let fd = try Self.create(directory, state.fileNumber + 1, syncDirectory: false)
        if sync == .everyCommit {
            state.rotated.append(RotatedFile(fd: state.fd, fileNumber: state.fileNumber))
            state.directoryUnsynced = true
        } else {
            close(state.fd)
        }
        state.fd = fd
        state.fileNumber += 1
        state.fileBytes = 0
        state.writebackStarted = 0
    }

    /// `audit.head`: the last committed line, replaced atomically (write, sync, rename).
    private func writeHead(seq: UInt64, hash: [UInt8], fileNumber: Int) throws {
        var head = JSONBytes()
        head.raw("{\"seq\":")
        head.unsigned(seq)
        head.raw(",\"hash\":\"")
        head.bytes(hash)
        head.raw("\",\"file\":\"")
        head.raw(text: AuditFiles.name(fileNumber))
        head.raw("\"}\n")
        let path = directory + "/" + AuditFiles.headName
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw AuditTrailError.posix("open", temporary) }
        let ok = Foundation.write(fd, head.buffer.baseAddress!, head.count) == head.count
        let synced = sync == .never || fsync(fd) == 0
        close(fd)
        guard ok && synced else { throw AuditTrailError.posix("write", temporary) }
        guard rename(temporary, path) == 0 else { throw AuditTrailError.posix("rename", path) }
    }

    // MARK: Opening

    static func fileNumbers(_ directory: String) throws -> [Int] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap(AuditFiles.number).sorted()
        } catch {
            throw AuditTrailError("\(directory): cannot list the audit directory: \(error.localizedDescription)")
        }
    }

    /// Creates trail file `number` (never reusing one) and, with `syncDirectory`, syncs the directory entry.
    private static func create(_ directory: String, _ number: Int, syncDirectory: Bool) throws -> Int32 {
        let path = directory + "/" + AuditFiles.name(number)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw AuditTrailError.posix("create", path) }
        _ = fchmod(fd, 0o640)
        if syncDirectory { Self.syncDirectory(directory) }
        return fd
    }

    /// Cuts a last line that has no newline (a write interrupted by a crash); returns the file's size after.
    private static func cutPartialLine(_ fd: Int32, _ path: String) throws -> Int {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return 0 }
        let window = min(size, maxLineBytes + 1)
        var bytes = [UInt8](repeating: 0, count: window)
        guard pread(fd, &bytes, window, off_t(size - window)) == window else { throw AuditTrailError.posix("read", path) }
        if bytes.last == 0x0A { return size }
        guard let newline = bytes.lastIndex(of: 0x0A) else {
            guard window == size else { throw AuditTrailError("\(path): the last line is longer than 1 MiB") }
            guard ftruncate(fd, 0) == 0 else { throw AuditTrailError.posix("ftruncate", path) }
            return 0
        }
        let keep = size - window + newline + 1
        guard ftruncate(fd, off_t(keep)) == 0 else { throw AuditTrailError.posix("ftruncate", path) }
        return keep
    }

    /// The sequence number and hash of a file's last line, or nil for an empty file.
    private static func lastRecord(_ path: String) throws -> (seq: UInt64, hash: [UInt8])? {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AuditTrailError.posix("open", path) }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        guard size > 0 else { return nil }
        let window = min(size, maxLineBytes + 1)
        try? handle.seek(toOffset: UInt64(size - window))
        let bytes = Array((try? handle.read(upToCount: window)) ?? Data())
        guard bytes.count == window, bytes.last == 0x0A else {
            throw AuditTrailError("\(path): the last line is incomplete")
        }
        let start = bytes[..<(bytes.count - 1)].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        guard start > 0 || window == size, let parsed = AuditChain.parse(bytes[start..<(bytes.count - 1)]) else {
            throw AuditTrailError("\(path): the last line is not a chained record; run `vigil audit verify`")
        }
        return (parsed.seq, parsed.hash)
    }
}
