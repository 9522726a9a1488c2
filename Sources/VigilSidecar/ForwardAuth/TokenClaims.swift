import JWTKit
import VigilPolicy

/// One claim of a token, as JSON typed it.
public enum ClaimValue: Hashable, Sendable, Codable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    /// An object or null: kept so its presence is known, never offered to policies.
    case other

    public init(from decoder: any Decoder) throws {
        if (try? decoder.container(keyedBy: ClaimKey.self)) != nil {
            self = .other
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [ClaimValue] = []
            while !list.isAtEnd { items.append(try list.decode(ClaimValue.self)) }
            self = .array(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .other }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .array(let items): try c.encode(items)
        case .other: try c.encodeNil()
        }
    }

    /// The claim as a Cedar value: strings, integers and booleans as they are, an array as a set when every
    /// element converts; `nil` for other numbers, objects and null.
    public var value: Value? {
        switch self {
        case .string(let s): return .string(s)
        case .integer(let i): return .long(i)
        case .bool(let b): return .bool(b)
        case .array(let items):
            var out = Set<Value>()
            for item in items {
                guard let v = item.value else { return nil }
                out.insert(v)
            }
            return .set(out)
        case .number, .other: return nil
        }
    }

    /// The claim as text for a uid template: a string, or an integer's digits.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    /// A NumericDate claim (`exp`, `nbf`, `auth_time`) in whole seconds; fractions are cut.
    var seconds: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d) where d.isFinite && abs(d) < 1e15: return Int64(d)
        default: return nil
        }
    }
}

struct ClaimKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Every claim of a verified token. Checking them (issuer, audience, times) is `TokenVerifier`'s job, against its
/// own configuration and clock, so `verify(using:)` here accepts any claims once the signature holds.
public struct TokenClaims: JWTPayload, Hashable {
    public var values: [String: ClaimValue]

    public init(values: [String: ClaimValue]) {
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ClaimKey.self)
        var values: [String: ClaimValue] = [:]
        for key in c.allKeys { values[key.stringValue] = try c.decode(ClaimValue.self, forKey: key) }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ClaimKey.self)
        for (key, value) in values { try c.encode(value, forKey: ClaimKey(stringValue: key)) }
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public subscript(name: String) -> ClaimValue? { values[name] }
}
