extension Name {
    /// Parses a name written in normalized form, as entity and context JSON give entity types: identifiers
    /// (`[_a-zA-Z][_a-zA-Z0-9]*`, not a reserved word such as `if` or `true`) joined by `::`, with no spaces or
    /// comments. Returns `nil` for anything else (`Us er`, `A::`, `::A`, `A::if`).
    public init?(normalized text: String) {
        guard !text.isEmpty else { return nil }
        for part in text.split(separator: "::", omittingEmptySubsequences: false) {
            guard let first = part.utf8.first, !(first >= 0x30 && first <= 0x39),
                  part.utf8.allSatisfy({ b in
                      (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
                  }),
                  !Parser.reserved.contains(String(part))
            else { return nil }
        }
        self.init(qualified: text)
    }
}
