/// One policy's compiled condition: bytecode, its constants and where each instruction came from.
public struct Program: Hashable, Sendable {
    /// Where an instruction came from in the policy source.
    public struct Span: Hashable, Sendable {
        public var pc: UInt32
        public var line: UInt32
        public var column: UInt32
    }

    /// The instructions (vigil_opcodes.h format).
    public var code: [UInt8] = []
    /// Encoded constant values, indexed by `OP_CONST`/`OP_LIKE` operands.
    public var constants: [[UInt8]] = []
    /// One entry per instruction, ascending pc.
    public var spans: [Span] = []
}

/// Appends instructions to a `Program`, with forward jumps patched once their target is known.
struct ProgramBuilder {
    private(set) var program = Program()
    private var constantIndex: [[UInt8]: UInt32] = [:]

    /// The pc of the next instruction.
    var pc: UInt32 { UInt32(clamping: program.code.count) }

    /// Appends one instruction with its operands, recording the source position it came from.
    mutating func emit(_ op: Opcode, _ operands: UInt32..., at position: (line: Int, column: Int)) {
        emit(op, operands: operands, at: position)
    }

    /// Appends one instruction with any number of operands (`OP_RECORD` has a count, then one name id a field).
    mutating func emit(_ op: Opcode, operands: [UInt32], at position: (line: Int, column: Int)) {
        program.spans.append(Program.Span(pc: pc, line: UInt32(clamping: position.line),
                                          column: UInt32(clamping: position.column)))
        var w = ByteWriter()
        w.u8(op.rawValue)
        for o in operands { w.u32(o) }
        program.code.append(contentsOf: w.bytes)
    }

    /// Appends a jump whose target is not known yet; returns the position of its operand for `patch`.
    mutating func emitJump(_ op: Opcode, at position: (line: Int, column: Int)) -> Int {
        emit(op, 0, at: position)
        return program.code.count - 4
    }

    /// Points the jump whose operand is at `operand` to the current pc.
    mutating func patch(_ operand: Int) {
        let target = pc
        withUnsafeBytes(of: target.littleEndian) { raw in
            for (i, b) in raw.enumerated() { program.code[operand + i] = b }
        }
    }

    /// The index of a constant with these encoded bytes, adding it once.
    mutating func constant(_ encoded: [UInt8]) -> UInt32 {
        if let k = constantIndex[encoded] { return k }
        let k = UInt32(clamping: program.constants.count)
        constantIndex[encoded] = k
        program.constants.append(encoded)
        return k
    }
}
