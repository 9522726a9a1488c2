import Testing
import VigilPolicy
@testable import VigilCompiler

/// Codegen of small policies, checked instruction by instruction.
@Suite struct ConditionCompilerTests {
    /// A decoded instruction: opcode and operands.
    struct Instruction: Equatable, CustomStringConvertible {
        var op: Opcode
        var operands: [UInt32]
        init(_ op: Opcode, _ operands: UInt32...) {
            self.op = op
            self.operands = operands
        }
        var description: String { "\(op) \(operands)" }
    }

    private func decode(_ code: [UInt8]) -> [Instruction] {
        var out: [Instruction] = []
        var pc = 0
        while pc < code.count, let op = Opcode(rawValue: code[pc]) {
            pc += 1
            var n = op.operandCount
            var operands: [UInt32] = []
            while n > 0 {
                let v = u32(code, pc)
                operands.append(v)
                pc += 4
                n -= 1
                if op == .record && operands.count == 1 { n += Int(v) }
            }
            var i = Instruction(op)
            i.operands = operands
            out.append(i)
        }
        return out
    }

    private func compile(_ text: String, _ interner: inout Interner) throws -> (Program, [Instruction]) {
        let file = SourceFile(name: "t.cedar", text: text)
        let policy = try #require(try Parser.parsePolicies(file).first)
        let p = try ConditionCompiler.compile(policy.conditions, file: file, interner: &interner)
        return (p, decode(p.code))
    }

    @Test func noConditionIsTrue() throws {
        var i = Interner()
        let (_, code) = try compile("permit(principal, action, resource);", &i)
        #expect(code == [Instruction(.true), Instruction(.ret)])
    }

    @Test func comparisonOfAnAttribute() throws {
        var i = Interner()
        let (p, code) = try compile("permit(principal, action, resource) when { principal.risk >= 80 };", &i)
        let risk = try #require(i.names.id(of: "risk"))
        // One clause: its value is the policy's truth, returned as it is (RET checks it is a Bool).
        #expect(code == [
            Instruction(.var, 0), Instruction(.getAttr, risk), Instruction(.const, 0), Instruction(.ge),
            Instruction(.ret),
        ])
        #expect(p.constants == [[2, 80, 0, 0, 0, 0, 0, 0, 0]])
        // One span per instruction, pointing at the expression (line 1, column of `principal.risk >= 80`).
        #expect(p.spans.count == code.count)
        #expect(p.spans[0].line == 1 && p.spans[0].column == 44)
        #expect(p.spans.map(\.pc) == p.spans.map(\.pc).sorted())
    }

    @Test func andShortCircuitsAndChecksTheRightOperand() throws {
        var i = Interner()
        let (_, code) = try compile("permit(principal, action, resource) when { true && context.x };", &i)
        let x = try #require(i.names.id(of: "x"))
        // <a> JUMP_IF_FALSE Lf; <b> CHECK_BOOL; JUMP Lend; Lf: FALSE; Lend:
        #expect(Array(code.prefix(7)) == [
            Instruction(.const, 0), Instruction(.jumpIfFalse, 26), Instruction(.var, 3), Instruction(.getAttr, x),
            Instruction(.checkBool), Instruction(.jump, 27), Instruction(.false),
        ])
    }

    @Test func unlessJumpsWhenTrueAndClausesShareTheFailure() throws {
        var i = Interner()
        // Clauses before the last jump to the shared FALSE RET; the last returns its value, an unless negated.
        let (_, code) = try compile(
            "forbid(principal, action, resource) unless { context.a } when { context.b } unless { context.c };", &i)
        #expect(code.map(\.op) == [.var, .getAttr, .jumpIfTrue, .var, .getAttr, .jumpIfFalse, .var, .getAttr, .not,
                                   .ret, .false, .ret])
        #expect(code[2].operands == [42] && code[5].operands == [42])
        let (_, when) = try compile("forbid(principal, action, resource) unless { context.a } when { context.b };", &i)
        #expect(when.map(\.op) == [.var, .getAttr, .jumpIfTrue, .var, .getAttr, .ret, .false, .ret])
        #expect(when[2].operands == [26])
    }

    @Test func dottedHasTestsEachPrefixOnce() throws {
        var i = Interner()
        let (_, code) = try compile("permit(principal, action, resource) when { context has a.b };", &i)
        let a = try #require(i.names.id(of: "a")), b = try #require(i.names.id(of: "b"))
        #expect(Array(code.prefix(9)) == [
            Instruction(.var, 3), Instruction(.dup), Instruction(.hasAttr, a), Instruction(.jumpIfFalse, 31),
            Instruction(.getAttr, a), Instruction(.hasAttr, b), Instruction(.jump, 33), Instruction(.pop),
            Instruction(.false),
        ])
    }

    @Test func extensionLiteralsAreFoldedAndInvalidOnesRaise() throws {
        var i = Interner()
        let (p, code) = try compile(
            #"permit(principal, action, resource) when { context.ip.isInRange(ip("10.0.0.0/8")) };"#, &i)
        #expect(code.map(\.op) == [.var, .getAttr, .const, .ext, .ret])
        #expect(code[3].operands == [ExtensionNumber.isInRange.rawValue, 2])
        #expect(p.constants[0].first == 7)
        let (bad, badCode) = try compile(#"permit(principal, action, resource) when { ip("nope") == context.ip };"#, &i)
        #expect(badCode.prefix(2) == [Instruction(.const, 0), Instruction(.error, 6)])
        #expect(bad.constants[0].first == 3)
    }

    @Test func constantSetsAreFoldedAndPatternsPreparsed() throws {
        var i = Interner()
        let (p, code) = try compile(
            #"permit(principal, action, resource) when { [2, 1, 2].contains(context.n) && context.s like "a*" };"#, &i)
        #expect(code[0] == Instruction(.const, 0))
        #expect(p.constants[0].prefix(5) == [5, 2, 0, 0, 0])
        let like = try #require(code.first { $0.op == .like })
        #expect(p.constants[Int(like.operands[0])] == ValueEncoder.pattern([.char("a"), .wildcard]))
    }

    @Test func recordsIfThenElseIsAndMethods() throws {
        var i = Interner()
        let (_, code) = try compile("""
            permit(principal, action, resource) when {
              (if context.f then {a: context.x} else {a: 1}).a == 1 && principal is User in Group::"g"
              && principal.tags.hasTag("t") && !(context.s.isEmpty()) && context.d.toDays() > -context.n
            };
            """, &i)
        let ops = code.map(\.op)
        #expect(ops.contains(.record) && ops.contains(.is) && ops.contains(.in) && ops.contains(.hasTag))
        #expect(ops.contains(.isEmpty) && ops.contains(.not) && ops.contains(.neg) && ops.contains(.dup))
        let rec = try #require(code.first { $0.op == .record })
        #expect(rec.operands == [1, try #require(i.names.id(of: "a"))])
        let ext = try #require(code.first { $0.op == .ext })
        #expect(ext.operands == [ExtensionNumber.toDays.rawValue, 1])
        #expect(i.existingEID(EntityUID(type: Name(basename: "Group"), id: "g")) != nil)
    }
}
