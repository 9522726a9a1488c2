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

    /// Opens (creating) the journal at `path`.
    /// - Throws: `DataChangeError` (status 500) when the file cannot be opened.
    public init(path: String) throws(DataChangeError) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataChangeError(status: 500, "cannot open journal `\(path)`: \(String(cString: strerror(errno)))") }
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
        var line: Data
        do { line = try JSONEncoder().encode(request) } catch {
            throw DataChangeError(status: 500, "cannot encode journal record: \(error)")
        }
        line.append(UInt8(ascii: "\n"))
        let ok = line.withUnsafeBytes { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            throw DataChangeError(status: 500, "cannot write journal `\(path)`: \(String(cString: strerror(errno)))")
        }
    }
}
