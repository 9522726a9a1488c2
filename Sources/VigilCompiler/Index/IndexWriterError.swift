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
    /// The writer was closed.
    case closed(path: String)
    /// An LMDB call failed.
    case lmdb(operation: String, code: Int32)
    /// A key the format stores is longer than LMDB allows (511 bytes) or empty.
    case keySize(database: String, length: Int)
    /// An incremental change needs a published index, and the directory has none (or not one this writer knows).
    case notPublished(path: String)
    /// An incremental change names an entity or session the index does not have.
    case unknown(what: String)
    /// An incremental change would change the ancestors of an entity that has descendants, or make a cycle; the
    /// index keeps only the closure, so this needs a full publish.
    case hierarchyChange(entity: String)
    /// A stored record does not have the layout this writer writes.
    case corrupt(what: String)
    /// A value nests deeper than the format allows.
    case tooDeep(entity: String)
    /// A link to add does not compile (the diagnostics, rendered), or its id is taken.
    case invalidLink(id: String, reason: String)

    public var description: String {
        switch self {
        case .directory(let path, let e):
            return "cannot create or open index directory `\(path)`: \(String(cString: strerror(e)))"
        case .locked(let path):
            return "index `\(path)` is being written by another process (it holds `writer.lock`); "
                + "only one writer may publish at a time"
        case .closed(let path):
            return "the writer of index `\(path)` is closed"
        case .lmdb(let op, let code):
            return "LMDB \(op) failed: \(String(cString: mdb_strerror(code)))"
        case .keySize(let db, let length):
            return "a key of \(length) bytes cannot be stored in `\(db)`: LMDB keys are 1 to 511 bytes"
        case .notPublished(let path):
            return "index `\(path)` has no published generation of this writer's format; publish a policy set first"
        case .unknown(let what):
            return "\(what) is not in the index"
        case .hierarchyChange(let entity):
            return "changing the parents of `\(entity)` changes the ancestors of its descendants or makes a cycle; "
                + "publish the whole set instead"
        case .corrupt(let what):
            return "the index holds a malformed \(what)"
        case .invalidLink(let id, let reason):
            return "link `\(id)` cannot be added: \(reason)"
        case .tooDeep(let entity):
            return "a value of `\(entity)` nests deeper than \(ValueEncoder.maxDepth) levels"
        }
    }
}
