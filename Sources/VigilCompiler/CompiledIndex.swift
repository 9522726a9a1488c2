/// Everything one publish writes: the contents of every database of the index, ready to store.
///
/// Built by `Compiler.compile()`, written by `IndexWriter.publish(_:)`. Keys and values are the exact bytes of
/// docs/INDEX_FORMAT.md; integer keys are kept as numbers and written natively.
public struct CompiledIndex: Sendable {
    /// Name text by name id (`names` and `name_text`).
    public var names: [[UInt8]]
    /// The `uids` key of each eid: the type's name id (u32 LE), then the id's bytes.
    public var uidKeys: [[UInt8]]
    /// The entity record of each eid.
    public var entities: [[UInt8]]
    /// The policy record of each policy number.
    public var policies: [[UInt8]]
    /// The positional id (or link id) of each policy number.
    public var policyIDs: [String]
    /// `by_action`: action eid (or `0xFFFFFFFF`) to sorted policy numbers, in ascending key order.
    public var byAction: [(action: UInt32, policies: [UInt32])]
    /// `ctx_types`: action eid to the descriptor of its context type, in ascending key order; empty without a
    /// schema.
    public var contextTypes: [(action: UInt32, descriptor: [UInt8])]
    /// `sessions`: session id bytes to session record, in ascending key order.
    public var sessions: [(id: [UInt8], record: [UInt8])]
}
