import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The durable record of accepted data changes: one JSON line per `DataRequest`, appended and fsynced before the
/// change is acknowledged. At start-up the sidecar replays it over the seed entities, so every acknowledged change
/// survives a crash even though the index is rebuilt from source. The file is private to the sidecar (mode 0600):
/// session data may be sensitive.
public final class DataJournal: @unchecked Sendable {
    // @unchecked: used only from the Publisher actor.
    public let path: String
    private var fd: Int32
    /// Records in the file (a torn last line not counted).
    public private(set) var records: Int

    /// Opens (creating) the journal at `path`, which holds `records` records (`read(path:)`'s count).
    /// - Throws: `DataChangeError` (status 500) when the file cannot be opened.
    public init(path: String, records: Int = 0) throws(DataChangeError) {
        self.path = path
        self.records = records
        fd = try Self.openForAppend(path)
    }

    private static func openForAppend(_ path: String) throws(DataChangeError) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataChangeError(status: 500, "cannot open journal `\(path)`: \(String(cString: strerror(errno)))") }
        return fd
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Every request recorded so far, in order. A torn last line (a crash mid-append, never acknowledged) is
    /// skipped; any other unreadable line is an error, since skipping it would lose an acknowledged change.
    public static func read(path: String) throws(DataChangeError) -> [DataRequest] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [DataRequest] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where !line.isEmpty {
            do { out.append(try JSONDecoder().decode(DataRequest.self, from: Data(line))) } catch {
                if i == lines.count - 1 { break }
                throw DataChangeError(status: 500, "journal `\(path)` line \(i + 1) is unreadable: \(error)")
            }
        }
        return out
    }

    /// Appends one request and waits until it is on disk.
    /// - Throws: `DataChangeError` (status 500) when the write or fsync fails; the change must then be refused.
    public func append(_ request: DataRequest) throws(DataChangeError) {
        let line = try Self.line(request)
        guard Self.writeAll(fd, line), fsync(fd) == 0 else {
            throw DataChangeError(status: 500, "cannot write journal `\(path)`: \(String(cString: strerror(errno)))")
        }
        records += 1
    }

    /// Replaces the journal's contents with `requests` (`JournalCompaction`): written to a temporary file, synced,
    /// renamed over the journal, the directory synced. A crash at any point leaves the old journal or the new one.
    /// - Throws: `DataChangeError` (status 500) when any step fails; the old journal then stays in use.
    public func rewrite(_ requests: [DataRequest]) throws(DataChangeError) {
        var text = Data()
        for request in requests { text.append(try Self.line(request)) }
        let temporary = path + ".compacting"
        let tfd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard tfd >= 0 else { throw Self.failure("open", temporary) }
        let ok = Self.writeAll(tfd, text) && fsync(tfd) == 0
        close(tfd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Self.failure("write", temporary)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        // The open descriptor still names the old file: append to the new one from now on.
        let fresh = try Self.openForAppend(path)
        close(fd)
        fd = fresh
        records = requests.count
    }

    private static func line(_ request: DataRequest) throws(DataChangeError) -> Data {
        var line: Data
        do { line = try JSONEncoder().encode(request) } catch {
            throw DataChangeError(status: 500, "cannot encode journal record: \(error)")
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    private static func failure(_ what: String, _ path: String) -> DataChangeError {
        DataChangeError(status: 500, "cannot \(what) `\(path)`: \(String(cString: strerror(errno)))")
    }
}
