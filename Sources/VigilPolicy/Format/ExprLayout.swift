/// Cedar's expression precedence, loosest first, as the parser implements it.
enum Precedence: Int, Comparable {
    case ifThenElse, or, and, relation, additive, multiplicative, unary, member, primary

    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }

    /// The next tighter level: what the right operand of a left-associative operator must bind at least as.
    var tighter: Precedence { Precedence(rawValue: rawValue + 1) ?? .primary }
}

/// Builds the layout document of an expression, with the fewest parentheses that make the text parse back to
/// the same tree.
enum ExprLayout {
    /// How tightly `e` binds when written without parentheses.
    static func precedence(of e: Expr) -> Precedence {
        switch e.kind {
        case .ifThenElse: return .ifThenElse
        case .binary(.or, _, _): return .or
        case .binary(.and, _, _): return .and
        case .binary(.add, _, _), .binary(.subtract, _, _): return .additive
        case .binary(.multiply, _, _): return .multiplicative
        case .binary: return .relation
        case .hasAttribute(_, let path): return hasIsDotted(path) || path.count <= 1 ? .relation : .and
        case .like, .is: return .relation
        case .unary: return .unary
        // `-5` is a folded unary minus: it may follow an operator but cannot be a receiver as it stands.
        case .literal(.long(let n)) where n < 0: return .unary
        case .getAttribute, .method: return .member
        case .literal, .variable, .slot, .set, .record, .call: return .primary
        }
    }

    /// The document of `e`, in parentheses when it binds more loosely than `required`.
    static func doc(_ e: Expr, atLeast required: Precedence) -> Doc {
        precedence(of: e) < required ? parenthesized(doc(e)) : doc(e)
    }

    static func parenthesized(_ d: Doc) -> Doc {
        .concat([.text("("), .nest(1, d), .text(")")])
    }

    /// The document of `e` at its own precedence.
    static func doc(_ e: Expr) -> Doc {
        switch e.kind {
        case .literal(let l): return .text(literal(l))
        case .variable(let v): return .text(v.rawValue)
        case .slot(let s): return .text(s.rawValue)
        case .ifThenElse(let c, let t, let f):
            // A nested `if` needs no parentheses in any branch. Adding some for readability would cost parser depth,
            // and the round trip must hold up to `Parser.maxDepth`.
            return .group(.concat([
                .text("if"), .nest(2, .concat([.line, doc(c)])), .line,
                .text("then"), .nest(2, .concat([.line, doc(t)])), .line,
                .text("else"), .nest(2, .concat([.line, doc(f)])),
            ]))
        case .binary(let op, _, _) where op == .or || op == .and:
            return logicalChain(e, op)
        case .binary(let op, _, _) where op == .add || op == .subtract || op == .multiply:
            return arithmeticChain(e)
        case .binary(let op, let l, let r):
            return infix(doc(l, atLeast: .additive), op.rawValue, doc(r, atLeast: .additive))
        case .hasAttribute(let x, let path):
            return has(x, path)
        case .like(let x, let pattern):
            return .concat([doc(x, atLeast: .additive), .text(" like " + CedarString.quotePattern(pattern))])
        case .is(let x, let type, let target):
            var parts: [Doc] = [doc(x, atLeast: .additive), .text(" is \(type)")]
            if let target { parts += [.text(" in "), doc(target, atLeast: .additive)] }
            return .concat(parts)
        case .unary(let op, _):
            return unaryRun(e, op)
        case .getAttribute, .method:
            return memberChain(e)
        case .set(let elements):
            return bracketed("[", elements.map { doc($0) }, "]", padded: false)
        case .record(let fields):
            return bracketed("{", fields.map { .concat([.text(key($0.0) + ": "), doc($0.1)]) }, "}", padded: true)
        case .call(let name, let args):
            return .concat([.text(name.description), arguments(args)])
        }
    }

    static func literal(_ l: Literal) -> String {
        switch l {
        case .bool(let b): return b ? "true" : "false"
        case .long(let n): return String(n)
        case .string(let s): return CedarString.quote(s)
        case .entity(let uid): return uid.description
        }
    }

    /// A record key: bare when it is a plain identifier, quoted otherwise (reserved words included, which Cedar
    /// refuses bare).
    static func key(_ k: String) -> String { CedarIdentifier.isBare(k) ? k : CedarString.quote(k) }

    // MARK: - Operators

    private static func infix(_ l: Doc, _ op: String, _ r: Doc) -> Doc {
        .group(.concat([l, .text(" " + op), .nest(2, .concat([.line, r]))]))
    }

    /// `a && b && c` (or `||`), one operand per line when it does not fit. The tree is left-nested, so it is
    /// flattened without recursion; a right operand with the same operator keeps its parentheses.
    private static func logicalChain(_ e: Expr, _ op: BinaryOp) -> Doc {
        let own: Precedence = op == .or ? .or : .and
        var rights: [Expr] = []
        var first = e
        while case .binary(let o, let l, let r) = first.kind, o == op {
            rights.append(r)
            first = l
        }
        // An `&&` chain inside an `||` chain is indented, so a broken layout still shows the grouping.
        func operand(_ x: Expr, atLeast p: Precedence) -> Doc {
            let d = doc(x, atLeast: p)
            if op == .or, case .binary(.and, _, _) = x.kind { return .nest(2, d) }
            return d
        }
        var parts: [Doc] = [operand(first, atLeast: own)]
        for r in rights.reversed() {
            parts += [.text(" " + op.rawValue), .line, operand(r, atLeast: own.tighter)]
        }
        return .group(.concat(parts))
    }

    /// `a + b - c` or `a * b * c`: flattened like `logicalChain`, continuation lines indented.
    private static func arithmeticChain(_ e: Expr) -> Doc {
        let own = precedence(of: e)
        var rights: [(BinaryOp, Expr)] = []
        var first = e
        while case .binary(let o, let l, let r) = first.kind, precedence(of: first) == own {
            rights.append((o, r))
            first = l
        }
        var tail: [Doc] = []
        for (o, r) in rights.reversed() {
            tail += [.text(" " + o.rawValue), .line, doc(r, atLeast: own.tighter)]
        }
        return .group(.concat([doc(first, atLeast: own), .nest(2, .concat(tail))]))
    }

    // MARK: - has

    private static func hasIsDotted(_ path: [String]) -> Bool {
        !path.isEmpty && path.allSatisfy(CedarIdentifier.isBare)
    }

    /// `e has a.b.c` when every part is a plain identifier, `e has "k"` for one key that is not. A longer path
    /// with such a key has no spelling of its own; it is written as the conjunction Cedar defines it to mean,
    /// `e has a && e.a has "b c"`, which parses to a different tree with the same meaning.
    private static func has(_ x: Expr, _ path: [String]) -> Doc {
        let subject = doc(x, atLeast: .additive)
        if hasIsDotted(path) { return .concat([subject, .text(" has " + path.joined(separator: "."))]) }
        guard path.count > 1 else { return .concat([subject, .text(" has " + CedarString.quote(path.first ?? ""))]) }
        var prefix = x
        var conjunction = Expr(.hasAttribute(x, [path[0]]))
        for (previous, part) in zip(path, path.dropFirst()) {
            prefix = Expr(.getAttribute(prefix, previous))
            conjunction = Expr(.binary(.and, conjunction, Expr(.hasAttribute(prefix, [part]))))
        }
        return doc(conjunction)
    }

    // MARK: - Unary

    /// A run of the same unary operator. The parser takes at most four in a row, never mixes `!` and `-`, and
    /// folds a `-` written directly before an integer into a negative literal, so:
    /// more than four are split with parentheses (`!!!!(!x)`); the other operator is parenthesized (`!(-x)`);
    /// minus applied to a non-negative literal is written `-(5)`; minus applied to a negative literal lets the
    /// literal's own sign count as one of the four (`--5`, but `----(-5)`).
    private static func unaryRun(_ e: Expr, _ op: UnaryOp) -> Doc {
        var count = 0
        var inner = e
        while case .unary(let o, let x) = inner.kind, o == op {
            count += 1
            inner = x
        }
        // Split into groups of four from the outside in; only the innermost group meets the operand.
        var prefixes: [Int] = []
        var left = count
        while left > 4 {
            prefixes.append(4)
            left -= 4
        }
        let symbol = op.rawValue
        var result: Doc = .concat([.text(String(repeating: symbol, count: left)), unaryOperand(inner, op, left)])
        for n in prefixes.reversed() {
            result = .concat([.text(String(repeating: symbol, count: n)), parenthesized(result)])
        }
        return result
    }

    private static func unaryOperand(_ x: Expr, _ op: UnaryOp, _ run: Int) -> Doc {
        switch x.kind {
        case .literal(.long(let n)):
            if op == .negate && n < 0 && run < 4 { return .text(String(n)) }  // the literal's `-` joins the run
            if op == .negate || n < 0 { return .text("(\(n))") }  // keep the parser from folding or mixing
            return .text(String(n))
        case .unary:
            return parenthesized(doc(x))
        default:
            return doc(x, atLeast: .member)
        }
    }

    // MARK: - Member access, calls, sets, records

    /// `r.a["b c"].m(x)`: a left-nested chain, flattened without recursion.
    private static func memberChain(_ e: Expr) -> Doc {
        var accesses: [Doc] = []
        var receiver = e
        loop: while true {
            switch receiver.kind {
            case .getAttribute(let r, let a):
                accesses.append(.text(CedarIdentifier.isBare(a) ? "." + a : "[" + CedarString.quote(a) + "]"))
                receiver = r
            case .method(let r, let m, let args):
                accesses.append(.concat([.text("." + m), arguments(args)]))
                receiver = r
            default:
                break loop
            }
        }
        return .concat([doc(receiver, atLeast: .member)] + accesses.reversed())
    }

    private static func arguments(_ args: [Expr]) -> Doc {
        guard !args.isEmpty else { return .text("()") }
        return .group(.concat([
            .text("("), .nest(2, .concat([.softline, Doc.join(args.map { doc($0) }, separator: .concat([.text(","), .line])) ])),
            .softline, .text(")"),
        ]))
    }

    /// `[a, b]` or `{ a: 1 }`: flat when it fits, else one element per line.
    static func bracketed(_ open: String, _ items: [Doc], _ close: String, padded: Bool) -> Doc {
        guard !items.isEmpty else { return .text(open + close) }
        let edge: Doc = padded ? .line : .softline
        return .group(.concat([
            .text(open), .nest(2, .concat([edge, Doc.join(items, separator: .concat([.text(","), .line]))])),
            edge, .text(close),
        ]))
    }
}
