/// A layout document in the style of Wadler's "prettier printer": text with optional line breaks that a `group`
/// lays out flat when it fits in the line width and breaks otherwise.
///
/// The formatter builds one `Doc` per policy or expression and renders it once; the renderer is iterative, so
/// rendering never recurses however deep the document is.
indirect enum Doc: Sendable {
    /// Literal text without line breaks.
    case text(String)
    /// A space when its group is flat, a line break (plus the current indentation) when the group is broken.
    case line
    /// Nothing when its group is flat, a line break when it is broken.
    case softline
    /// Always a line break. Used only outside groups, for the fixed parts of a policy's layout.
    case hardline
    /// The documents one after the other.
    case concat([Doc])
    /// The document with `n` more columns of indentation after each line break inside it.
    case nest(Int, Doc)
    /// The document flat if it fits in the rest of the line, else with its own breaks taken.
    case group(Doc)

    static let empty = Doc.concat([])

    /// `docs` with `separator` between each pair.
    static func join(_ docs: [Doc], separator: Doc) -> Doc {
        var parts: [Doc] = []
        parts.reserveCapacity(docs.count * 2)
        for (i, d) in docs.enumerated() {
            if i > 0 { parts.append(separator) }
            parts.append(d)
        }
        return .concat(parts)
    }

    /// Lays the document out in at most `width` columns where it can; text wider than that overflows.
    func render(width: Int) -> String {
        var out = ""
        var column = 0
        // Work list, last element first: (indentation, flat?, document).
        var stack: [(Int, Bool, Doc)] = [(0, false, self)]
        while let (indent, flat, doc) = stack.popLast() {
            switch doc {
            case .text(let s):
                out += s
                column += s.unicodeScalars.count
            case .line where flat:
                out += " "
                column += 1
            case .softline where flat:
                break
            case .line, .softline, .hardline:
                out += "\n" + String(repeating: " ", count: indent)
                column = indent
            case .concat(let parts):
                for p in parts.reversed() { stack.append((indent, flat, p)) }
            case .nest(let n, let d):
                stack.append((indent + n, flat, d))
            case .group(let d):
                let flatFits = flat || Doc.fits(d, indent: indent, width: width - column, rest: stack)
                stack.append((indent, flatFits, d))
            }
        }
        return out
    }

    /// Whether `doc` laid out flat, followed by `rest` up to its first line break, fits in `width` columns.
    private static func fits(_ doc: Doc, indent: Int, width: Int, rest: [(Int, Bool, Doc)]) -> Bool {
        var remaining = width
        var local: [(Bool, Doc)] = [(true, doc)]
        var restIndex = rest.count
        while remaining >= 0 {
            let flat: Bool, d: Doc
            if let next = local.popLast() {
                (flat, d) = next
            } else if restIndex > 0 {
                restIndex -= 1
                (_, flat, d) = rest[restIndex]
            } else {
                return true
            }
            switch d {
            case .text(let s): remaining -= s.unicodeScalars.count
            case .line: if flat { remaining -= 1 } else { return true }
            case .softline: if !flat { return true }
            case .hardline: return true
            case .concat(let parts): for p in parts.reversed() { local.append((flat, p)) }
            case .nest(_, let inner): local.append((flat, inner))
            case .group(let inner): local.append((flat, inner))
            }
        }
        return false
    }
}
