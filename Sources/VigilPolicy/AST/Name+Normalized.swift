extension Name {
    /// Parses a name written in normalized form, as entity and context JSON give entity types: identifiers
    /// (`[_a-zA-Z][_a-zA-Z0-9]*`, not a reserved word such as `if` or `true`) joined by `::`, with no spaces or
    /// comments. Returns `nil` for anything else (`Us er`, `A::`, `::A`, `A::if`).
    public init?(normalized text: String) {
        let parts = text.split(separator: "::", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ CedarIdentifier.isBare(String($0)) }) else { return nil }
        self.init(qualified: text)
    }
}
