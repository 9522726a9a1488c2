/// The bytecode instructions of compiled policy conditions, mirroring `Sources/CVigil/vigil_opcodes.h`.
///
/// ORDER OP: the raw values and operand counts must equal the C enum and its table; a unit test compares them.
enum Opcode: UInt8, CaseIterable, Sendable {
    case ret = 0, const, `true`, `false`, `var`, dup, pop, jump, jumpIfFalse, jumpIfTrue, checkBool, not, neg
    case eq, ne, lt, le, gt, ge, add, sub, mul, `in`, contains, containsAll, containsAny, isEmpty
    case getAttr, hasAttr, getTag, hasTag, like, `is`, set, record, ext, error

    /// Fixed u32 operands after the opcode byte. `record` also has one name id per field after its count.
    var operandCount: Int {
        switch self {
        case .const, .var, .jump, .jumpIfFalse, .jumpIfTrue, .getAttr, .hasAttr, .like, .is, .set, .record, .error: return 1
        case .ext: return 2
        default: return 0
        }
    }
}

/// Extension functions called by `Opcode.ext`, numbered as `enum vigil_ext_fn` (ORDER EXT).
enum ExtensionNumber: UInt32, CaseIterable, Sendable {
    case ip = 0, isIpv4, isIpv6, isLoopback, isMulticast, isInRange
    case decimal, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
    case datetime, duration, offset, durationSince, toDate, toTime
    case toDays, toHours, toMinutes, toSeconds, toMilliseconds

    /// The number of the extension function called `name` in policies (`ip`, `isInRange`, …).
    init?(name: String) {
        guard let n = ExtensionNumber.allCases.first(where: { "\($0)" == name }) else { return nil }
        self = n
    }
}
