import VigilPolicy

/// Strict typechecking of one policy condition in one request environment, following Cedar's typechecker rule
/// for rule, so that a policy validates here exactly when it validates in Cedar.
///
/// Besides types, the checker tracks singleton booleans (`true`/`false`) to know which operands can never be
/// evaluated (the right of `false && …`, the branches of `if true …`, everything after a scope constraint that
/// cannot hold in this environment); errors there are not errors. It also tracks capabilities, so an optional
/// attribute or a tag may be read after a guard that proves it present.
final class Typechecker {
    let index: SchemaIndex
    let env: RequestEnvironment
    let sink: DiagnosticSink
    private var depth = 0

    /// Nesting beyond this is refused rather than risking the stack. The parser already stops at
    /// `Parser.maxDepth`; this also covers expressions built by code.
    static let maxDepth = 1000

    init(index: SchemaIndex, env: RequestEnvironment, sink: DiagnosticSink) {
        self.index = index
        self.env = env
        self.sink = sink
    }

    /// Typechecks `e` where the capabilities `prior` are known to hold.
    func typecheck(_ e: Expr, _ prior: CapabilitySet) -> Answer {
        guard depth < Typechecker.maxDepth else {
            sink.error("too_deep", "expression nested more than \(Typechecker.maxDepth) levels deep", at: e.span)
            return .fail(nil)
        }
        depth += 1
        defer { depth -= 1 }
        switch e.kind {
        case .literal(let literal): return self.literal(literal)
        case .variable(let v): return variable(v)
        case .slot(let slot): return .success(env.type(of: slot))
        case .unary(.not, let operand): return negated(expect(operand, .bool, prior))
        case .unary(.negate, let operand): return expect(operand, .long, prior).then { _, _ in .success(.long) }
        case .binary(let op, let lhs, let rhs): return binary(op, lhs, rhs, e, prior)
        case .ifThenElse(let test, let then, let otherwise): return conditional(test, then, otherwise, e, prior)
        case .getAttribute(let target, let name): return getAttribute(target, name, e, prior)
        case .hasAttribute(let target, let path): return hasAttributePath(target, path, e, prior)
        case .like(let target, _):
            return expect(target, .string, prior) { actual in
                if case .entity = actual { return "try using `is` to test for an entity type" }
                return nil
            }.then { _, _ in .success(.anyBool) }
        case .is(let target, let type, let inExpr):
            guard let inExpr else { return isType(target, type, prior) }
            // `e is T in x` means `e is T && e in x`.
            let test = Expr(.is(target, type, in: nil), span: e.span)
            let membership = Expr(.binary(.in, target, inExpr), span: e.span)
            return typecheck(Expr(.binary(.and, test, membership), span: e.span), prior)
        case .set(let elements): return setLiteral(elements, e, prior)
        case .record(let fields): return recordLiteral(fields, prior)
        case .method(let receiver, let name, let args): return method(receiver, name, args, e, prior)
        case .call(let name, let args): return extensionCall(name.description, args, e, prior)
        }
    }

    /// Typechecks `e` and requires its type to meet `expectation`; `help` may add a hint for a wrong type.
    func expect(
        _ e: Expr, _ expectation: Expectation, _ prior: CapabilitySet, help: (ValueType) -> String? = { _ in nil }
    ) -> Answer {
        typecheck(e, prior).then { actual, capability in
            guard let actual else { return .fail(nil) }
            guard expectation.accepts(actual) else {
                unexpectedType(at: e.span, expected: expectation.description, actual: actual, help: help(actual))
                return .fail(nil)
            }
            return .success(actual, capability)
        }
    }

    func unexpectedType(at span: SourceSpan, expected: String, actual: ValueType, help: String? = nil) {
        sink.error("unexpected_type", "unexpected type: expected \(expected) but saw \(actual)", at: span, help: help)
    }

    /// Reports that `types` have no common type where `context` requires one.
    func incompatible(_ types: [ValueType], _ why: LubFailure, _ context: LubContext, at span: SourceSpan) {
        var names: [String] = []
        for t in types where !names.contains(t.description) { names.append(t.description) }
        let list: String
        switch names.count {
        case 0, 1: list = names.first ?? ""
        case 2: list = "\(names[0]) and \(names[1])"
        default: list = names.dropLast().joined(separator: ", ") + ", and " + (names.last ?? "")
        }
        sink.error(
            "incompatible_types", "the types \(list) are not compatible", at: span,
            help: "\(context.rawValue) must have compatible types: \(why.help)")
    }

    /// The least upper bound of `types`, reporting an error at `span` when there is none. `nil` also when some
    /// type is unknown (an error was reported for it already).
    func leastUpperBound(_ types: [ValueType?], _ context: LubContext, at span: SourceSpan) -> ValueType? {
        let known = types.compactMap { $0 }
        guard known.count == types.count else { return nil }
        switch ValueType.leastUpperBound(of: known) {
        case .success(let lub): return lub
        case .failure(let why):
            incompatible(known, why, context, at: span)
            return nil
        }
    }

    // MARK: - Leaves

    private func literal(_ literal: Literal) -> Answer {
        switch literal {
        case .bool(let b): return .success(.singleton(b))
        case .long: return .success(.long)
        case .string: return .success(.string)
        case .entity(let uid):
            // An undeclared type or action is reported once per policy by `ScopeChecks`.
            guard let type = index.literalType(uid) else { return .fail(nil) }
            return .success(type)
        }
    }

    private func variable(_ v: Variable) -> Answer {
        switch v {
        case .principal: return .success(.entity(env.principal))
        case .action: return .success(.entity(env.action.type))
        case .resource: return .success(.entity(env.resource))
        case .context: return .success(env.context)
        }
    }

    /// The entity uid `e` denotes when it is an entity literal or the `action` variable (whose value the
    /// environment fixes).
    func literalUID(_ e: Expr) -> EntityUID? {
        switch e.kind {
        case .literal(.entity(let uid)): return uid
        case .variable(.action): return env.action
        default: return nil
        }
    }

    /// The literal `e` denotes, reading the `action` variable as the environment's action.
    func literalValue(_ e: Expr) -> Literal? {
        switch e.kind {
        case .literal(let literal): return literal
        case .variable(.action): return .entity(env.action)
        default: return nil
        }
    }
}

/// Where two types had to agree, for the help line of an "incompatible types" error.
enum LubContext: String {
    case set = "elements of a set"
    case conditional = "both branches of a conditional"
    case equality = "both operands to a `==` expression"
    case contains = "elements of the first operand and the second operand to a `contains` expression"
    case containsAnyAll = "elements of both set operands to a `containsAll` or `containsAny` expression"
    case getTag = "tag types for a `.getTag()` operation"
}
