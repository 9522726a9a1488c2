import CVigil

/// What decision metrics need of a drained record (`RingDrainer.drain(into:observe:)`), read straight from the
/// ring: no Strings, no array.
public struct DrainedDecision: Sendable {
    public var effect: DecisionRecord.Effect
    /// The index generation decided at: policy numbers name policies in it.
    public var generation: UInt64
    /// How long the decision took, in nanoseconds.
    public var evaluationNs: UInt64
    /// The first (up to 8) determining policy numbers, ascending (`DecisionRecord.determining`).
    public var determining: PolicyNumbers

    init(_ record: UnsafePointer<vigil_ring_record>) {
        let r = record.pointee
        effect = DecisionRecord.Effect(ring: r.rr_effect)
        generation = r.rr_generation
        evaluationNs = r.rr_eval_ns
        determining = PolicyNumbers(r.rr_determining, count: Int(min(r.rr_determining_count, 8)))
    }

    /// Up to 8 policy numbers, held inline.
    public struct PolicyNumbers: RandomAccessCollection, Sendable {
        private var numbers: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
        public let count: Int

        init(_ numbers: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32), count: Int) {
            (self.numbers, self.count) = (numbers, Swift.min(Swift.max(count, 0), 8))
        }

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(i: Int) -> UInt32 {
            precondition(i >= 0 && i < count, "policy number index out of range")
            return withUnsafeBytes(of: numbers) { $0.load(fromByteOffset: 4 * i, as: UInt32.self) }
        }
    }
}
