import VigilData
import VigilPolicy

/// Adding and removing template links in a published index.
enum LinkChanges {
    /// Compiles `template` with `link`'s slots as policy `number` and adds it to `by_action`.
    static func add(
        _ template: Policy, _ file: SourceFile, _ link: TemplateLink, _ expiresAtMs: Int64?, number: UInt32,
        _ ix: inout IndexInterner
    ) throws(IndexWriterError) {
        let (txn, dbs) = (ix.txn, ix.dbs)
        if try find(link.newID, txn, dbs) != nil {
            throw .invalidLink(id: link.newID, reason: "a policy with this id exists")
        }
        var errors: [Diagnostic] = []
        guard let compiled = PolicyCompiler.compile(template, id: link.newID, file: file, slots: link.values,
                                                    expiresMs: expiresAtMs, interner: &ix, errors: &errors),
              errors.isEmpty
        else {
            throw .invalidLink(id: link.newID, reason: errors.map(\.description).joined(separator: "; "))
        }
        if let failure = ix.failure { throw failure }
        try txn.put(dbs.policies, number, compiled.record.bytes(), "policies")
        var keys: Set<UInt32> = []
        func group(_ a: EntityUID, _ ix: inout IndexInterner) throws(IndexWriterError) {
            let g = ix.eid(a)
            keys.insert(g)
            keys.formUnion(try descendants(of: g, txn, dbs))
        }
        switch compiled.action {
        case .any: keys.insert(ScopeIndex.anyAction)
        case .equals(let a): keys.insert(ix.eid(a))
        case .in(let a): try group(a, &ix)
        case .inSet(let list): for a in list { try group(a, &ix) }
        }
        if let failure = ix.failure { throw failure }
        for key in keys {
            let list = try numbers(txn.get(dbs.byAction, key))
            // The new number is the largest, so appending keeps the list sorted (IDX-A001).
            try txn.put(dbs.byAction, key, bytes(list + [number]), "by_action")
        }
    }

    /// Expires link `id` for good and takes its number out of every `by_action` list.
    static func remove(_ id: String, _ txn: WriteTransaction, _ dbs: Databases) throws(IndexWriterError) {
        guard let (number, record) = try find(id, txn, dbs), let flags = RecordReader.u32(record, 0),
              flags & PolicyRecord.linked != 0
        else { throw .unknown(what: "link `\(id)`") }
        var expired = record
        // pr_expires_ms = INT64_MIN: expired at every request time (IDX-P004).
        for i in 0..<8 { expired[16 + i] = i == 7 ? 0x80 : 0 }
        try txn.put(dbs.policies, number, expired, "policies")
        var changed: [(UInt32, [UInt32])] = []
        try txn.forEach(dbs.byAction) { key, value in
            let list = numbers(Array(value))
            if list.contains(number) { changed.append((key, list.filter { $0 != number })) }
            return true
        }
        for (key, list) in changed {
            if list.isEmpty {
                _ = try txn.delete(dbs.byAction, key)
            } else {
                try txn.put(dbs.byAction, key, bytes(list), "by_action")
            }
        }
    }

    /// The number and record of the policy whose id is `id`; a removed link's record (kept, expired for good,
    /// until the next full publish) no longer holds its id, so a grant can be removed and added again.
    private static func find(_ id: String, _ txn: WriteTransaction, _ dbs: Databases) throws(IndexWriterError)
        -> (UInt32, [UInt8])?
    {
        let wanted = Array(id.utf8)
        var found: (UInt32, [UInt8])?
        try txn.forEach(dbs.policies) { key, value in
            let record = Array(value)
            if isRemoved(record) { return true }
            if let off = RecordReader.u32(record, 48).map(Int.init),
               let len = RecordReader.u32(record, 52).map(Int.init),
               off + len <= record.count, Array(record[off..<(off + len)]) == wanted {
                found = (key, record)
                return false
            }
            return true
        }
        return found
    }

    /// Whether `record` is a link `remove` expired for good (pr_expires_ms = INT64_MIN).
    private static func isRemoved(_ record: [UInt8]) -> Bool {
        guard let flags = RecordReader.u32(record, 0), flags & PolicyRecord.linked != 0, record.count >= 24 else {
            return false
        }
        return record[16..<23].allSatisfy { $0 == 0 } && record[23] == 0x80
    }

    private static func numbers(_ b: [UInt8]?) -> [UInt32] {
        guard let b else { return [] }
        return stride(from: 0, to: b.count - b.count % 4, by: 4).compactMap { RecordReader.u32(b, $0) }
    }

    private static func bytes(_ list: [UInt32]) -> [UInt8] {
        var w = ByteWriter()
        for n in list { w.u32(n) }
        return w.bytes
    }
}
