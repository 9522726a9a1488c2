import VigilPolicy

/// The name and uid tables of one compilation, interned together because a uid's key holds its type's name id.
public struct Interner: Sendable {
    public private(set) var names = NameTable()
    public private(set) var uids = UIDTable()

    public init() {}

    /// The name id of `name`, interning it if new.
    public mutating func name(_ name: String) -> UInt32 { names.intern(name) }

    /// The eid of `uid`, interning it (and its type name) if new.
    public mutating func eid(_ uid: EntityUID) -> UInt32 { uids.intern(uid, names: &names) }

    /// The eid of `uid` if interned.
    public func existingEID(_ uid: EntityUID) -> UInt32? { uids.eid(of: uid, names: names) }
}
