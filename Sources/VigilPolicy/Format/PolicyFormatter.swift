/// Prints policies and expressions in Vigil's one canonical layout (the layout of `vigil fmt`).
///
/// The layout follows `cedar format`: annotations one per line; `permit (principal, action, resource)` on one line
/// when the scope is unconstrained, else one scope constraint per line indented two spaces; each `when { … }` or
/// `unless { … }` on its own line, broken as
/// ```
/// when {
///   principal.department == "engineering" &&
///   resource.owner == principal
/// }
/// ```
/// when it does not fit in 80 columns; long expressions broken at `&&` and `||` first, then inside sets, records,
/// calls and comparisons. Parentheses are the fewest that Cedar's precedence needs, so the output never nests
/// deeper than the text it came from. Strings are re-escaped (`CedarString.quote`); attribute names and
/// record keys are written bare when they are identifiers and not reserved words, quoted otherwise.
///
/// - Important: comments and the original spacing are not kept: the formatter prints the syntax tree, which has
///   neither. Formatting a file drops its `//` comments.
///
/// Round trip: for every tree the parser can produce, parsing the output gives an equal tree (equality ignores
/// source spans), and formatting is idempotent. A tree built by code that the parser could never produce may not
/// survive: a `has` path of several parts where one is not a plain identifier (`e has a."b c"` has no Cedar
/// spelling) is written as the conjunction Cedar defines it to mean, `e has a && e.a has "b c"`, which parses to a
/// different tree with the same meaning; names, methods and functions that the parser would reject are printed as
/// they are.
public enum PolicyFormatter {
    /// The line width the layout aims for; longer strings and names overflow it.
    public static let lineWidth = 80

    /// Formats a policy file: the policies in order, separated by blank lines, ending with a newline.
    /// - Parameter policies: the policies (templates included).
    /// - Returns: the file's text; the empty string when there are no policies.
    public static func format(_ policies: [Policy]) -> String {
        guard !policies.isEmpty else { return "" }
        return policies.map { format($0) }.joined(separator: "\n\n") + "\n"
    }

    /// Formats one policy, from its first annotation to its final `;`, without a trailing newline.
    /// - Parameter p: the policy or template.
    public static func format(_ p: Policy) -> String {
        PolicyLayout.doc(p).render(width: lineWidth)
    }

    /// Formats one expression as it would appear inside a condition, without a trailing newline.
    /// - Parameter e: the expression.
    public static func format(_ e: Expr) -> String {
        ExprLayout.doc(e).render(width: lineWidth)
    }
}

/// The fixed parts of a policy's layout: annotations, effect, scope and condition clauses.
enum PolicyLayout {
    static func doc(_ p: Policy) -> Doc {
        var parts: [Doc] = []
        for a in p.annotations {
            let value = a.value.map { "(" + CedarString.quote($0) + ")" } ?? ""
            parts += [.text("@" + a.name + value), .hardline]
        }
        let effect = p.effect.rawValue
        if p.principal == .any, p.action == .any, p.resource == .any {
            parts.append(.text(effect + " (principal, action, resource)"))
        } else {
            let scope = Doc.join(
                [scope("principal", p.principal), action(p.action), scope("resource", p.resource)],
                separator: .concat([.text(","), .hardline]))
            parts += [.text(effect + " ("), .nest(2, .concat([.hardline, scope])), .hardline, .text(")")]
        }
        for c in p.conditions {
            parts += [.hardline, condition(c)]
        }
        parts.append(.text(";"))
        return .concat(parts)
    }

    /// `when { e }` on one line, or the keyword and brace, the expression indented, and the closing brace.
    private static func condition(_ c: Condition) -> Doc {
        .group(.concat([
            .text(c.kind.rawValue + " {"), .nest(2, .concat([.line, ExprLayout.doc(c.body)])), .line, .text("}"),
        ]))
    }

    private static func scope(_ variable: String, _ c: ScopeConstraint) -> Doc {
        switch c {
        case .any: return .text(variable)
        case .equals(let r): return .text(variable + " == " + reference(r))
        case .in(let r): return .text(variable + " in " + reference(r))
        case .is(let t): return .text(variable + " is \(t)")
        case .isIn(let t, let r): return .text(variable + " is \(t) in " + reference(r))
        }
    }

    private static func reference(_ r: EntityReference) -> String {
        switch r {
        case .entity(let uid): return uid.description
        case .slot(let s): return s.rawValue
        }
    }

    private static func action(_ c: ActionConstraint) -> Doc {
        switch c {
        case .any: return .text("action")
        case .equals(let uid): return .text("action == \(uid)")
        case .in(let uid): return .text("action in \(uid)")
        case .inSet(let uids):
            let list = ExprLayout.bracketed("[", uids.map { .text($0.description) }, "]", padded: false)
            return .concat([.text("action in "), list])
        }
    }
}
