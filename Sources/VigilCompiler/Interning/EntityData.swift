import VigilData
import VigilPolicy
import VigilSchema

/// The entity data of one compilation by eid: which entities are present, their direct parents, and their
/// encoded attributes and tags.
struct EntityData {
    private var present: [UInt32: (attributes: [UInt8], tags: [UInt8]?)] = [:]
    private var parentsByEID: [UInt32: [UInt32]] = [:]

    /// Adds entities (a later duplicate replaces attributes and tags, parents accumulate) and the schema's actions
    /// with their action groups as parents (IDX-E002).
    mutating func add(_ entities: [Entity], schema: Schema?, _ interner: inout Interner, _ errors: inout [Diagnostic]) {
        for e in entities {
            let eid = interner.eid(e.uid)
            parentsByEID[eid, default: []].append(contentsOf: e.parents.sorted().map { interner.eid($0) })
            do {
                let attributes = try ValueEncoder.encode(.record(e.attributes), &interner)
                let tags = e.tags.isEmpty ? nil : try ValueEncoder.encode(.record(e.tags), &interner)
                present[eid] = (attributes, tags)
            } catch {
                errors.append(Diagnostic(code: "vigil.compile.too_deep",
                                         message: "a value of entity `\(e.uid)` nests deeper than "
                                             + "\(ValueEncoder.maxDepth) levels"))
            }
        }
        guard let schema else { return }
        for action in schema.actions.values.sorted(by: { $0.uid < $1.uid }) {
            let eid = interner.eid(action.uid)
            parentsByEID[eid, default: []].append(contentsOf: action.memberOf.sorted().map { interner.eid($0) })
            if present[eid] == nil { present[eid] = (Self.emptyRecord, nil) }
        }
    }

    /// The encoding of `{}`: the attributes of a declared action.
    private static let emptyRecord: [UInt8] = {
        var w = ByteWriter()
        ValueEncoder.writeRecord([], into: &w)
        return w.bytes
    }()

    /// The direct parents of each eid below `count`.
    func parents(count: Int) -> [[UInt32]] {
        var out = [[UInt32]](repeating: [], count: count)
        for (eid, list) in parentsByEID where Int(eid) < count { out[Int(eid)] = list }
        return out
    }

    /// The entity record of every interned eid (IDX-E001: mentioned-only entities have no attributes).
    func records(interner: Interner, ancestors: [[UInt32]]) -> [[UInt8]] {
        interner.uids.keys.enumerated().map { i, key in
            let eid = UInt32(i)
            let data = present[eid]
            var flags: UInt32 = data == nil ? 0 : EntityRecord.present
            if interner.uids.uids[i].isAction { flags |= EntityRecord.action }
            return EntityRecord(type: key.type, flags: flags, id: key.id, ancestors: ancestors[i],
                                attributes: data?.attributes, tags: data?.tags).bytes()
        }
    }
}
