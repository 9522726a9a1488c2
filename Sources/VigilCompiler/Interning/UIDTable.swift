import VigilPolicy

/// Interns entity uids to dense entity numbers (eids) from 0.
///
/// A uid's key is its type's name id and its id's UTF-8 bytes (the `uids` database key), so ids that Swift would
/// call equal but differ in bytes get different eids.
public struct UIDTable: Sendable {
    /// The identity of an entity: its type's name id and its id's bytes.
    public struct Key: Hashable, Sendable {
        public var type: UInt32
        public var id: [UInt8]
    }

    private var eids: [Key: UInt32] = [:]
    /// Every entity in eid order.
    public private(set) var keys: [Key] = []
    /// The uid each eid was interned from.
    public private(set) var uids: [EntityUID] = []

    public init() {}

    /// The number of entities interned.
    public var count: Int { keys.count }

    /// The eid of `uid`, whose type name has name id `type`, interning it if new.
    public mutating func intern(_ uid: EntityUID, type: UInt32) -> UInt32 {
        let key = Key(type: type, id: Array(uid.id.utf8))
        if let eid = eids[key] { return eid }
        let eid = UInt32(keys.count)
        eids[key] = eid
        keys.append(key)
        uids.append(uid)
        return eid
    }

    /// The eid of `uid` if interned.
    public func eid(of uid: EntityUID, names: NameTable) -> UInt32? {
        guard let type = names.id(of: uid.type.description) else { return nil }
        return eids[Key(type: type, id: Array(uid.id.utf8))]
    }
}
