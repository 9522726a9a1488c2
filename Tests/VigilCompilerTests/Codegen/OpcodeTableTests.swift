import Testing
@testable import VigilCompiler

/// ORDER OP and ORDER EXT: the Swift opcode and extension numbers equal the C enums, read from the C compiler.
@Suite struct OpcodeTableTests {
    /// `jumpIfFalse` → `JUMP_IF_FALSE`.
    private static func cName(_ swift: String) -> String {
        var out = ""
        for c in swift {
            if c.isUppercase { out += "_" }
            out += c.uppercased()
        }
        return out
    }

    @Test func opcodesMatchTheCEnum() throws {
        let names = Opcode.allCases.map { "OP_" + Self.cName("\($0)") }
        let values = try CProbe.run((names + ["OP__COUNT"]).map { "P(\"\($0)\", \($0));" }.joined(separator: "\n"))
        #expect(values["OP__COUNT"] == Opcode.allCases.count)
        for (op, name) in zip(Opcode.allCases, names) {
            #expect(values[name] == Int(op.rawValue), "\(name)")
        }
        #expect(Opcode.allCases.map(\.rawValue) == Array(0..<UInt8(Opcode.allCases.count)))
    }

    @Test func extensionNumbersMatchTheCEnum() throws {
        let names = ExtensionNumber.allCases.map { "EXT_" + Self.cName("\($0)") }
        let values = try CProbe.run((names + ["EXT__COUNT"]).map { "P(\"\($0)\", \($0));" }.joined(separator: "\n"))
        #expect(values["EXT__COUNT"] == ExtensionNumber.allCases.count)
        for (fn, name) in zip(ExtensionNumber.allCases, names) {
            #expect(values[name] == Int(fn.rawValue), "\(name)")
        }
    }

    @Test func extensionNumbersByPolicyName() {
        #expect(ExtensionNumber(name: "ip") == .ip)
        #expect(ExtensionNumber(name: "isInRange") == .isInRange)
        #expect(ExtensionNumber(name: "toMilliseconds") == .toMilliseconds)
        #expect(ExtensionNumber(name: "contains") == nil)
    }

    @Test func operandCounts() {
        #expect(Opcode.ret.operandCount == 0)
        #expect(Opcode.jumpIfFalse.operandCount == 1)
        #expect(Opcode.ext.operandCount == 2)
        #expect(Opcode.record.operandCount == 1)
    }
}
