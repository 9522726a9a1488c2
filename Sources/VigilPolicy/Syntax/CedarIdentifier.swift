/// Cedar's identifier rules, in one place for the parser, the formatter, the schema readers and the JSON readers.
public enum CedarIdentifier {
    /// Words that cannot be identifiers in names, attribute accesses, `has` paths or bare record keys.
    public static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has"]

    /// Whether `s` is one identifier token: an ASCII letter or `_`, then letters, digits or `_`.
    public static func isValid(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let letter = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
            let digit = b >= 0x30 && b <= 0x39
            guard letter || (!first && digit) else { return false }
            first = false
        }
        return !first
    }

    /// Whether `s` can be written bare as an attribute name, a `has` path part or a record key: a valid identifier
    /// that is not reserved.
    public static func isBare(_ s: String) -> Bool { isValid(s) && !reserved.contains(s) }
}
