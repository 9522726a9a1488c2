import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// Why the index could not be opened for writing or published.
public enum IndexWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directory could not be created or opened (`errno`).
    case directory(path: String, errno: Int32)
    /// Another writer holds `DIR/writer.lock`.
    case locked(path: String)
    /// An LMDB call failed.
    case lmdb(operation: String, code: Int32)
    /// A key the format stores is longer than LMDB allows (511 bytes) or empty.
    case keySize(database: String, length: Int)

    public var description: String {
        switch self {
        case .directory(let path, let e):
            return "cannot create or open index directory `\(path)`: \(String(cString: strerror(e)))"
        case .locked(let path):
            return "index `\(path)` is being written by another process (it holds `writer.lock`); "
                + "only one writer may publish at a time"
        case .lmdb(let op, let code):
            return "LMDB \(op) failed: \(String(cString: mdb_strerror(code)))"
        case .keySize(let db, let length):
            return "a key of \(length) bytes cannot be stored in `\(db)`: LMDB keys are 1 to 511 bytes"
        }
    }
}
