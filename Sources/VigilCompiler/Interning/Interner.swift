import VigilPolicy

/// Gives names and entities their ids, interning the new ones: in memory while compiling (`Interner`), or in an
/// open index while applying incremental changes.
protocol Interning {
    mutating func name(_ name: String) -> UInt32
    mutating func eid(_ uid: EntityUID) -> UInt32
}

/// The name and uid tables of one compilation, interned together because a uid's key holds its type's name id.
public struct Interner: Interning, Sendable {
    public private(set) var names = NameTable()
    public private(set) var uids = UIDTable()
    /// Name ids of entity type names, so interning a uid does not spell its type out again. Keyed by `Name`,
    /// whose `==` is safe here: type names are Cedar identifiers, which are ASCII.
    private var typeIDs: [Name: UInt32] = [:]

    public init() {}

    /// The name id of `name`, interning it if new.
    public mutating func name(_ name: String) -> UInt32 { names.intern(name) }

    /// The eid of `uid`, interning it (and its type name) if new.
    public mutating func eid(_ uid: EntityUID) -> UInt32 {
        let type: UInt32
        if let known = typeIDs[uid.type] {
            type = known
        } else {
            type = names.intern(uid.type.description)
            typeIDs[uid.type] = type
        }
        return uids.intern(uid, type: type)
    }

    /// The eid of `uid` if interned.
    public func existingEID(_ uid: EntityUID) -> UInt32? { uids.eid(of: uid, names: names) }
}
