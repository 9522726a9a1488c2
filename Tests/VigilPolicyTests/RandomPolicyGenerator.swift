import TestSupport
import VigilPolicy

/// Random policies and expressions covering every syntax-tree shape the parser can produce: all expression kinds,
/// all scope forms, templates, annotations, strings with escapes, control characters and non-ASCII text, extreme
/// integers, long unary runs and, now and then, deep nesting.
///
/// Everything generated is something the parser could have produced, so `parse(format(x)) == x` must hold:
/// getAttribute never reads a plain literal, method names and arities are the parser's, record keys and annotation
/// names are unique, `has` paths of several parts are plain identifiers, and slots appear only in scopes (and in
/// expressions when `slotsInExpressions` is set).
struct RandomPolicyGenerator {
    var rng: SplitMix64
    /// Whether expressions may contain template slots: `parseExpression` takes them, conditions do not.
    var slotsInExpressions = false

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// How many nesting levels a deep expression may have. Each level costs the parser at most two depth units
    /// (a parenthesis is a primary plus an expression), so this stays inside `Parser.maxDepth`.
    static let deepLevels = 60

    // MARK: - Primitives

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let identifiers = ["a", "b", "x", "name", "owner", "_private", "A1", "jobLevel", "principal", "context",
                              "contains", "when", "permit", "Action", "__cedar", "z9_"]
    static let reserved = ["true", "false", "if", "then", "else", "in", "is", "like", "has"]
    static let oddPieces: [String] = [
        "", "a", "hello world", "\"", "\\", "\n", "\r\n", "\t", "\0", "\u{1}", "\u{1F}", "\u{7F}", "*", "**", "\\*",
        "é", "e\u{301}", "日本語", "😀", "👩‍👩‍👧", "\u{2028}", "\u{200B}", "\u{FEFF}", "'", "\u{10FFFF}", "\u{FFFD}",
        "//", "};", "\\u{41}", "?principal", "Action::\"x\"",
    ]

    mutating func identifier() -> String { pick(Self.identifiers) }

    /// Any string at all, built from awkward pieces and random scalars.
    mutating func oddString() -> String {
        var s = ""
        for _ in 0..<int(0...4) {
            if chance(70) {
                s += pick(Self.oddPieces)
            } else if let u = Unicode.Scalar(UInt32(int(0...0x2FFF))) {
                s.unicodeScalars.append(u)
            }
        }
        return s
    }

    /// An attribute name or record key: usually an identifier, sometimes reserved, sometimes anything.
    mutating func key() -> String {
        switch int(0...9) {
        case 0...5: return identifier()
        case 6: return pick(Self.reserved)
        default: return oddString()
        }
    }

    mutating func name() -> Name {
        let parts = (0..<int(0...2)).map { _ in pick(["NS", "Acme", "__cedar", "A"]) }
        return Name(namespace: parts, basename: pick(["User", "Photo", "Group", "principal", "Long", "T"]))
    }

    mutating func entity() -> EntityUID { EntityUID(type: name(), id: chance(70) ? pick(["alice", "", "x"]) : oddString()) }

    mutating func action() -> EntityUID {
        let ns = chance(30) ? [pick(["NS", "Acme"])] : []
        return EntityUID(type: Name(namespace: ns, basename: "Action"), id: chance(80) ? pick(["view", "edit"]) : oddString())
    }

    mutating func long() -> Int64 {
        switch int(0...7) {
        case 0: return .min
        case 1: return .max
        case 2: return pick([0, -1, 1, .min + 1, .max - 1])
        case 3: return Int64(bitPattern: rng.next())
        default: return Int64(int(-100...100))
        }
    }

    // MARK: - Expressions

    /// A random expression nested at most `depth` levels; `deep` sometimes makes one long nested spine instead.
    mutating func expression(depth: Int) -> Expr {
        if chance(2) { return deepExpression(levels: int(10...Self.deepLevels)) }
        return expr(depth)
    }

    private mutating func leaf() -> Expr {
        if slotsInExpressions, chance(5) { return Expr(.slot(chance(50) ? .principal : .resource)) }
        switch int(0...6) {
        case 0: return Expr(.literal(.bool(chance(50))))
        case 1: return Expr(.literal(.long(long())))
        case 2: return Expr(.literal(.string(oddString())))
        case 3: return Expr(.literal(.entity(entity())))
        default: return Expr(.variable(pick(Variable.allCases)))
        }
    }

    private mutating func expr(_ depth: Int) -> Expr {
        guard depth > 0, chance(85) else { return leaf() }
        let d = depth - 1
        switch int(0...15) {
        case 0:
            return Expr(.unary(chance(50) ? .not : .negate, expr(d)))
        case 1:
            // A run of one operator, long enough to need splitting, over anything (negative literals included).
            let op: UnaryOp = chance(50) ? .not : .negate
            return (0..<int(1...9)).reduce(expr(d)) { e, _ in Expr(.unary(op, e)) }
        case 2, 3:
            let ops: [BinaryOp] = [.or, .and, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in,
                                   .add, .subtract, .multiply]
            return Expr(.binary(pick(ops), expr(d), expr(d)))
        case 4:
            return Expr(.ifThenElse(expr(d), expr(d), expr(d)))
        case 5:
            return Expr(.getAttribute(receiver(d), key()))
        case 6:
            let path = chance(50) ? (0..<int(1...3)).map { _ in identifier() } : [key()]
            return Expr(.hasAttribute(expr(d), path))
        case 7:
            let pattern: [PatternElement] = (0..<int(0...5)).flatMap { _ -> [PatternElement] in
                chance(30) ? [.wildcard] : oddString().unicodeScalars.map { .char($0) }
            }
            return Expr(.like(expr(d), pattern))
        case 8:
            return Expr(.is(expr(d), name(), in: chance(50) ? expr(d) : nil))
        case 9:
            return Expr(.set((0..<int(0...3)).map { _ in expr(d) }))
        case 10:
            var seen: Set<String> = []
            let fields: [(String, Expr)] = (0..<int(0...3)).compactMap { _ in
                let k = key()
                return seen.insert(k).inserted ? (k, expr(d)) : nil
            }
            return Expr(.record(fields))
        case 11:
            let (m, arity) = pick([("contains", 1), ("containsAll", 1), ("containsAny", 1), ("isEmpty", 0),
                                   ("getTag", 1), ("hasTag", 1)])
            return Expr(.method(expr(d), m, (0..<arity).map { _ in expr(d) }))
        case 12:
            let m = pick(["lessThan", "isInRange", "isIpv4", "toDate", "offset", "durationSince", "toMilliseconds"])
            return Expr(.method(expr(d), m, (0..<int(0...2)).map { _ in expr(d) }))
        case 13:
            let f = pick(["ip", "decimal", "datetime", "duration"])
            return Expr(.call(Name(basename: f), (0..<int(0...2)).map { _ in expr(d) }))
        default:
            return leaf()
        }
    }

    /// Anything but a plain bool, number or string literal, which the parser refuses to read attributes from.
    private mutating func receiver(_ depth: Int) -> Expr {
        let e = expr(depth)
        if case .literal(let l) = e.kind, case .entity = l { return e }
        if case .literal = e.kind { return Expr(.variable(pick(Variable.allCases))) }
        return e
    }

    /// One spine of `levels` nested nodes, each forcing parentheses or brackets where the kind needs them.
    mutating func deepExpression(levels: Int) -> Expr {
        var e = leaf()
        for _ in 0..<levels {
            switch int(0...6) {
            case 0: e = Expr(.binary(.subtract, leaf(), e))  // right-nested: needs parentheses
            case 1: e = Expr(.set([e]))
            case 2: e = Expr(.record([(key(), e)]))
            case 3: e = Expr(.ifThenElse(e, leaf(), leaf()))
            case 4: e = Expr(.unary(.not, Expr(.binary(.and, leaf(), e))))
            case 5: e = Expr(.method(Expr(.variable(.context)), "contains", [e]))
            default: e = Expr(.getAttribute(Expr(.binary(.or, leaf(), e)), key()))
            }
        }
        return e
    }

    // MARK: - Policies

    mutating func policy() -> Policy {
        var names: Set<String> = []
        let annotations: [Annotation] = (0..<int(0...3)).compactMap { _ in
            let n = chance(80) ? pick(["id", "step_up", "max_age", "advice", "if", "x1"]) : identifier()
            guard names.insert(n).inserted else { return nil }
            return Annotation(name: n, value: chance(20) ? nil : oddString())
        }
        let actionConstraint: ActionConstraint
        switch int(0...3) {
        case 0: actionConstraint = .any
        case 1: actionConstraint = .equals(action())
        case 2: actionConstraint = .in(action())
        default: actionConstraint = .inSet((0..<int(0...3)).map { _ in action() })
        }
        return Policy(
            annotations: annotations, effect: chance(50) ? .permit : .forbid, principal: scope(.principal),
            action: actionConstraint, resource: scope(.resource),
            conditions: (0..<int(0...3)).map { _ in
                Condition(kind: chance(70) ? .when : .unless, body: expression(depth: 5))
            })
    }

    private mutating func scope(_ slot: Slot) -> ScopeConstraint {
        func reference(_ g: inout RandomPolicyGenerator) -> EntityReference {
            g.chance(30) ? .slot(slot) : .entity(g.entity())
        }
        switch int(0...4) {
        case 0: return .any
        case 1: return .equals(reference(&self))
        case 2: return .in(reference(&self))
        case 3: return .is(name())
        default: return .isIn(name(), reference(&self))
        }
    }
}
