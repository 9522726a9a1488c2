extension EntityUID {
    /// Parses an entity uid written in Cedar syntax, such as `User::"alice"` or `Ns::Action::"read"`.
    /// - Returns: nil when `text` is not exactly one entity uid literal.
    public init?(parsing text: String) {
        guard let e = try? Parser.parseExpression(SourceFile(name: "<uid>", text: text)),
              case .literal(.entity(let uid)) = e.kind
        else { return nil }
        self = uid
    }
}
