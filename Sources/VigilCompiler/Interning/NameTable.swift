import VigilPolicy

/// Interns names (entity type names, attribute and record-key names, tag keys) to dense ids from 0.
///
/// Keys are UTF-8 bytes, not Swift strings: Swift's `==` merges canonically equivalent strings (`"é"` precomposed
/// and decomposed), which Cedar keeps apart.
public struct NameTable: Sendable {
    private var ids: [[UInt8]: UInt32] = [:]
    /// Every name in id order.
    public private(set) var names: [[UInt8]] = []

    public init() {}

    /// The number of names interned.
    public var count: Int { names.count }

    /// The id of `name`, interning it if new.
    public mutating func intern(_ name: String) -> UInt32 { intern(bytes: Array(name.utf8)) }

    /// The id of the name with these UTF-8 bytes, interning it if new.
    public mutating func intern(bytes: [UInt8]) -> UInt32 {
        if let id = ids[bytes] { return id }
        let id = UInt32(names.count)
        ids[bytes] = id
        names.append(bytes)
        return id
    }

    /// The id of `name` if interned.
    public func id(of name: String) -> UInt32? { ids[Array(name.utf8)] }
}
