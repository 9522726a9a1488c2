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

    /// Reads the fields it needs in place (a copy of the whole record would be half a kilobyte).
    init(_ record: UnsafePointer<vigil_ring_record>) {
        effect = DecisionRecord.Effect(ring: record.pointee.rr_effect)
        generation = record.pointee.rr_generation
        evaluationNs = record.pointee.rr_eval_ns
        determining = PolicyNumbers(record.pointee.rr_determining, count: Int(min(record.pointee.rr_determining_count, 8)))
    }

    /// A decision with these fields (the first 8 of `determining` are kept).
    public init(effect: DecisionRecord.Effect, generation: UInt64, evaluationNs: UInt64, determining: [UInt32]) {
        (self.effect, self.generation, self.evaluationNs) = (effect, generation, evaluationNs)
        var numbers: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &numbers) { raw in
            for (i, n) in determining.prefix(8).enumerated() { raw.storeBytes(of: n, toByteOffset: 4 * i, as: UInt32.self) }
        }
        self.determining = PolicyNumbers(numbers, count: determining.count)
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
