extension Value: CustomStringConvertible {
    /// The value in Cedar syntax, deterministic so it can be compared and logged: set elements are sorted by their
    /// own text, record keys in code-point order, strings and keys are quoted with Cedar escapes, and extension
    /// values are written as constructor calls (`ip("10.0.0.0/8")`, `decimal("1.5000")`).
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .bool(let b): out += b ? "true" : "false"
        case .long(let n): out += String(n)
        case .string(let s): out += CedarString.quote(s)
        case .entity(let uid): out += uid.description
        case .set(let elements):
            out += "["
            out += elements.map(\.description).sorted().joined(separator: ", ")
            out += "]"
        case .record(let fields):
            out += "{"
            out += fields.keys.sorted().map { key in
                "\(CedarString.quote(key)): \(fields[key].map(\.description) ?? "")"
            }.joined(separator: ", ")
            out += "}"
        case .ipaddr(let v): out += v.description
        case .decimal(let v): out += v.description
        case .datetime(let v): out += v.description
        case .duration(let v): out += v.description
        }
    }
}
