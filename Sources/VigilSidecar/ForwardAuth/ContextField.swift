import Foundation
import VigilPolicy

/// One field a route adds to the request's context, such as the client address from a header into `context.ip`.
public struct ContextField: Hashable, Sendable {
    /// Where the value comes from.
    public enum Source: Hashable, Sendable {
        /// A request header; for a list header (`X-Forwarded-For`) `item` picks one comma-separated element.
        case header(String, item: ListItem)
        /// The original request's method, decoded path, host or raw query.
        case method, path, host, query
        /// The time of the request, a `datetime` (for business-hours rules).
        case now
        /// A parameter the route's path pattern captured (`*` for the wildcard).
        case parameter(String)
        /// A claim of the verified token.
        case claim(String)
        /// A fixed value.
        case constant(Value)
    }

    public enum ListItem: String, Hashable, Sendable {
        case whole, first, last
    }

    /// The Cedar type a text value is read as; extension types are built as `ip("…")`, `decimal("…")` would be.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case string, long, bool, ipaddr, decimal, datetime, duration
    }

    public var name: String
    public var source: Source
    /// `nil`: strings stay strings and claims keep their JSON type.
    public var type: Kind?
    /// When set, the value (a string, or a set of strings) is the id of an entity of this type, such as a
    /// `Vigil::Session` from the token's `sid` claim.
    public var entityType: Name?
    /// A required field that has no value makes the request invalid; an optional one is left out of the context.
    public var required: Bool

    public init(name: String, source: Source, type: Kind? = nil, entityType: Name? = nil, required: Bool = false) {
        self.name = name
        self.source = source
        self.type = type
        self.entityType = entityType
        self.required = required
    }

    /// What a field's value may be taken from.
    struct Input {
        var request: OriginalRequest
        var headers: HTTPHeaders
        var parameters: [String: String]
        var claims: TokenClaims?
        var now: Date
    }

    /// The field's value for one request, or `nil` when the source has none.
    /// - Throws: `ForwardAuthRequestProblem.badContextValue` when a value does not convert to `type`.
    func value(_ input: Input) throws(ForwardAuthRequestProblem) -> Value? {
        let raw: Value?
        switch source {
        case .header(let name, let item):
            let joined = input.headers.values(name).joined(separator: ",")
            raw = joined.isEmpty ? nil : Self.pick(joined, item).map(Value.string)
        case .method: raw = .string(input.request.method)
        case .path: raw = .string("/" + input.request.target.segments.joined(separator: "/"))
        case .host: raw = input.request.host.map(Value.string)
        case .query: raw = input.request.target.query.map(Value.string)
        case .parameter(let p): raw = input.parameters[p].map(Value.string)
        case .claim(let c): raw = input.claims?.values[c]?.value
        case .constant(let v): raw = v
        case .now: raw = Self.datetime(input.now)
        }
        guard let raw else { return nil }
        if let entityType {
            guard let e = Self.entity(raw, entityType) else { throw .badContextValue(field: name) }
            return e
        }
        guard let type else { return raw }
        guard let converted = Self.convert(raw, to: type) else { throw .badContextValue(field: name) }
        return converted
    }

    /// `date` as a Cedar `datetime`, to the millisecond.
    static func datetime(_ date: Date) -> Value? {
        let ms = date.timeIntervalSince1970 * 1000
        guard ms.isFinite, abs(ms) < 1e17 else { return nil }
        return .datetime(DatetimeValue(millisecondsSinceEpoch: Int64(ms.rounded(.down))))
    }

    private static func entity(_ value: Value, _ type: Name) -> Value? {
        switch value {
        case .string(let id): return .entity(EntityUID(type: type, id: id))
        case .set(let items):
            var out = Set<Value>()
            for item in items {
                guard let e = entity(item, type) else { return nil }
                out.insert(e)
            }
            return .set(out)
        default: return nil
        }
    }

    private static func pick(_ list: String, _ item: ListItem) -> String? {
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        switch item {
        case .whole: return list
        case .first: return items.first.map(trim)
        case .last: return items.last.map(trim)
        }
    }

    private static func trim(_ s: Substring) -> String {
        var t = s
        while let f = t.first, f == " " || f == "\t" { t.removeFirst() }
        while let l = t.last, l == " " || l == "\t" { t.removeLast() }
        return String(t)
    }

    /// `value` as `kind`: text is parsed, a set converts element by element, a value already of the kind stays.
    static func convert(_ value: Value, to kind: Kind) -> Value? {
        switch (value, kind) {
        case (.set(let elements), _):
            var out = Set<Value>()
            for e in elements {
                guard let c = convert(e, to: kind) else { return nil }
                out.insert(c)
            }
            return .set(out)
        case (.string, .string), (.long, .long), (.bool, .bool): return value
        case (.long(let n), .string): return .string(String(n))
        case (.bool(let b), .string): return .string(b ? "true" : "false")
        case (.string(let s), .long): return Int64(s).map(Value.long)
        case (.string("true"), .bool): return .bool(true)
        case (.string("false"), .bool): return .bool(false)
        case (.string(let s), .ipaddr): return Value.construct("ip", s)
        case (.string(let s), .decimal): return Value.construct("decimal", s)
        case (.string(let s), .datetime): return Value.construct("datetime", s)
        case (.string(let s), .duration): return Value.construct("duration", s)
        default: return nil
        }
    }
}
