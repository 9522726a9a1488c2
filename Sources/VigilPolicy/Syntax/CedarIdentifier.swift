/// Which names the formatter may write bare, and which it must quote.
public enum CedarIdentifier {
    /// Words the parser refuses as identifiers in attribute accesses, `has` paths and names. Cedar also refuses
    /// them as bare record keys, so the formatter quotes them there too.
    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has"]

    /// Whether `s` lexes as one identifier token: an ASCII letter or `_`, then letters, digits or `_`.
    static func isValid(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let letter = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
            let digit = b >= 0x30 && b <= 0x39
            guard letter || (!first && digit) else { return false }
            first = false
        }
        return !first
    }

    /// Whether `s` can be written bare as an attribute name, a `has` path part or a record key.
    public static func isBare(_ s: String) -> Bool { isValid(s) && !reserved.contains(s) }
}
