import VigilPolicy

/// Compiles one policy's `when`/`unless` clauses into a `Program`, following the NOTES in vigil_opcodes.h.
///
/// Recursion follows the expression tree, whose height the parser bounds, so it cannot exhaust the stack.
struct ConditionCompiler {
    /// `VIGIL_ERR_EXTENSION`: an extension function rejected its argument.
    static let extensionErrorKind: UInt32 = 6

    private var builder = ProgramBuilder()
    private let file: SourceFile
    /// The entities a template link puts in its slots.
    private let slots: [Slot: EntityUID]

    init(file: SourceFile, slots: [Slot: EntityUID] = [:]) {
        self.file = file
        self.slots = slots
    }

    /// The program for `conditions`: each clause but the last jumps to a shared `FALSE RET` when it fails (a
    /// `when` that is false, an `unless` that is true); the last returns its own value (`unless`: negated), which
    /// is the policy's truth once the others held. `RET` and `NOT` refuse a non-Bool as the jump would, at the
    /// clause's position, so errors are the same; no condition at all is `TRUE RET`.
    static func compile(
        _ conditions: [Condition], file: SourceFile, slots: [Slot: EntityUID] = [:], interner: inout some Interning
    ) throws(Diagnostics) -> Program {
        var c = ConditionCompiler(file: file, slots: slots)
        var failJumps: [Int] = []
        for (k, clause) in conditions.enumerated() {
            try c.expr(clause.body, &interner)
            let at = c.position(clause.body.span)
            if k < conditions.count - 1 {
                failJumps.append(c.builder.emitJump(clause.kind == .when ? .jumpIfFalse : .jumpIfTrue, at: at))
            } else {
                if clause.kind == .unless { c.builder.emit(.not, at: at) }
                c.builder.emit(.ret, at: at)
            }
        }
        let end = c.position(conditions.last?.span ?? .none)
        if conditions.isEmpty {
            c.builder.emit(.true, at: end)
            c.builder.emit(.ret, at: end)
        }
        if !failJumps.isEmpty {
            for j in failJumps { c.builder.patch(j) }
            c.builder.emit(.false, at: end)
            c.builder.emit(.ret, at: end)
        }
        return c.builder.program
    }

    func position(_ span: SourceSpan) -> (line: Int, column: Int) { file.lineColumn(of: span.start) }

    private func failure(_ message: String, _ span: SourceSpan, code: String) -> Diagnostics {
        Diagnostics(Diagnostic(code: "vigil.compile.\(code)", message: message, file: file, span: span))
    }

    /// Emits code that leaves the value of `e` on the stack.
    mutating func expr(_ e: Expr, _ interner: inout some Interning) throws(Diagnostics) {
        let at = position(e.span)
        if let constant = ConstantFolder.value(of: e, slots: slots) {
            let encoded: [UInt8]
            do { encoded = try ValueEncoder.encode(constant, &interner) } catch {
                throw failure("constant nests deeper than \(ValueEncoder.maxDepth) levels", e.span, code: "too_deep")
            }
            builder.emit(.const, builder.constant(encoded), at: at)
            return
        }
        switch e.kind {
        case .literal(let l):
            // INVARIANT: ConstantFolder folds every literal; this keeps the switch exhaustive.
            throw failure("cannot compile literal `\(l)`", e.span, code: "internal")
        case .variable(let v):
            let index: UInt32 = switch v {
            case .principal: 0
            case .action: 1
            case .resource: 2
            case .context: 3
            }
            builder.emit(.var, index, at: at)
        case .slot(let s):
            throw failure("slot `\(s.rawValue)` has no value", e.span, code: "unfilled_slot")
        case .unary(let op, let x):
            try expr(x, &interner)
            builder.emit(op == .not ? .not : .neg, at: at)
        case .binary(.and, let a, let b):
            try shortCircuit(a, b, jump: .jumpIfFalse, result: .false, at: at, &interner)
        case .binary(.or, let a, let b):
            try shortCircuit(a, b, jump: .jumpIfTrue, result: .true, at: at, &interner)
        case .binary(let op, let a, let b):
            try expr(a, &interner)
            try expr(b, &interner)
            builder.emit(Self.opcode(op), at: at)
        case .ifThenElse(let c, let t, let f):
            try expr(c, &interner)
            let toElse = builder.emitJump(.jumpIfFalse, at: at)
            try expr(t, &interner)
            let toEnd = builder.emitJump(.jump, at: at)
            builder.patch(toElse)
            try expr(f, &interner)
            builder.patch(toEnd)
        case .getAttribute(let x, let name):
            try expr(x, &interner)
            builder.emit(.getAttr, interner.name(name), at: at)
        case .hasAttribute(let x, let path):
            try expr(x, &interner)
            try has(path, at: at, e.span, &interner)
        case .like(let x, let pattern):
            try expr(x, &interner)
            builder.emit(.like, builder.constant(ValueEncoder.pattern(pattern)), at: at)
        case .is(let x, let type, nil):
            try expr(x, &interner)
            builder.emit(.is, interner.name(type.description), at: at)
        case .is(let x, let type, let container?):
            // `x is T in c` is `x is T && x in c`, with x evaluated once.
            try expr(x, &interner)
            builder.emit(.dup, at: at)
            builder.emit(.is, interner.name(type.description), at: at)
            let toPop = builder.emitJump(.jumpIfFalse, at: at)
            try expr(container, &interner)
            builder.emit(.in, at: at)
            let toEnd = builder.emitJump(.jump, at: at)
            builder.patch(toPop)
            builder.emit(.pop, at: at)
            builder.emit(.false, at: at)
            builder.patch(toEnd)
        case .set(let elements):
            for x in elements { try expr(x, &interner) }
            builder.emit(.set, UInt32(clamping: elements.count), at: at)
        case .record(let fields):
            var ids: [UInt32] = [UInt32(clamping: fields.count)]
            for (k, v) in fields {
                try expr(v, &interner)
                ids.append(interner.name(k))
            }
            builder.emit(.record, operands: ids, at: at)
        case .method(let receiver, let name, let args):
            try method(receiver, name, args, e.span, &interner)
        case .call(let name, let args):
            try call(name.description, args, e.span, &interner)
        }
    }

    /// `a && b` and `a || b`: `<a> JUMP_IF_x L; <b> CHECK_BOOL; JUMP end; L: TRUE|FALSE; end:`.
    private mutating func shortCircuit(
        _ a: Expr, _ b: Expr, jump: Opcode, result: Opcode, at: (line: Int, column: Int),
        _ interner: inout some Interning
    ) throws(Diagnostics) {
        try expr(a, &interner)
        let toShort = builder.emitJump(jump, at: at)
        try expr(b, &interner)
        builder.emit(.checkBool, at: position(b.span))
        let toEnd = builder.emitJump(.jump, at: at)
        builder.patch(toShort)
        builder.emit(result, at: at)
        builder.patch(toEnd)
    }

    /// `has a` or the dotted `has a.b.c` on the value on the stack: each prefix is tested before it is read.
    private mutating func has(
        _ path: [String], at: (line: Int, column: Int), _ span: SourceSpan, _ interner: inout some Interning
    ) throws(Diagnostics) {
        guard let last = path.last else { throw failure("`has` needs an attribute", span, code: "internal") }
        var toPop: [Int] = []
        for name in path.dropLast() {
            let id = interner.name(name)
            builder.emit(.dup, at: at)
            builder.emit(.hasAttr, id, at: at)
            toPop.append(builder.emitJump(.jumpIfFalse, at: at))
            builder.emit(.getAttr, id, at: at)
        }
        builder.emit(.hasAttr, interner.name(last), at: at)
        guard !toPop.isEmpty else { return }
        let toEnd = builder.emitJump(.jump, at: at)
        for j in toPop { builder.patch(j) }
        builder.emit(.pop, at: at)
        builder.emit(.false, at: at)
        builder.patch(toEnd)
    }

    private mutating func method(
        _ receiver: Expr, _ name: String, _ args: [Expr], _ span: SourceSpan, _ interner: inout some Interning
    ) throws(Diagnostics) {
        let at = position(span)
        let builtin: Opcode? = switch name {
        case "contains": .contains
        case "containsAll": .containsAll
        case "containsAny": .containsAny
        case "isEmpty": .isEmpty
        case "getTag": .getTag
        case "hasTag": .hasTag
        default: nil
        }
        try expr(receiver, &interner)
        for a in args { try expr(a, &interner) }
        if let builtin {
            guard args.count == (builtin == .isEmpty ? 0 : 1) else {
                throw failure("`\(name)` takes \(builtin == .isEmpty ? "no argument" : "one argument"), found "
                              + "\(args.count)", span, code: "arity")
            }
            builder.emit(builtin, at: at)
            return
        }
        guard let fn = ExtensionNumber(name: name) else {
            throw failure("`\(name)` is not a method", span, code: "unknown_method")
        }
        builder.emit(.ext, fn.rawValue, UInt32(clamping: args.count + 1), at: at)
    }

    /// An extension function call. A constructor with a valid string literal was folded already; an invalid
    /// literal raises the extension error after its argument is evaluated, as Cedar would.
    private mutating func call(
        _ name: String, _ args: [Expr], _ span: SourceSpan, _ interner: inout some Interning
    ) throws(Diagnostics) {
        guard let fn = ExtensionNumber(name: name) else {
            throw failure("`\(name)` is not an extension function", span, code: "unknown_function")
        }
        for a in args { try expr(a, &interner) }
        let at = position(span)
        if ConstantFolder.isInvalidConstructorCall(name, args) {
            builder.emit(.error, Self.extensionErrorKind, at: at)
        } else {
            builder.emit(.ext, fn.rawValue, UInt32(clamping: args.count), at: at)
        }
    }

    private static func opcode(_ op: BinaryOp) -> Opcode {
        switch op {
        case .equal: .eq
        case .notEqual: .ne
        case .less: .lt
        case .lessEqual: .le
        case .greater: .gt
        case .greaterEqual: .ge
        case .in: .in
        case .add: .add
        case .subtract: .sub
        case .multiply: .mul
        // INVARIANT: && and || are compiled with jumps before this is reached.
        case .and, .or: .checkBool
        }
    }
}
