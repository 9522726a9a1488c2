/// What the forward-auth endpoint answers the proxy: a status, headers and a short text body. Independent of any
/// HTTP server so it can be tested as a value.
///
/// Proxies read only the status: 2xx allows; 401 and 403 are passed to the client (nginx `auth_request` turns any
/// other status into a 500). Every response carries `X-Vigil-Decision` and `Cache-Control: no-store`.
public struct ForwardAuthResponse: Sendable, CustomStringConvertible {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var description: String {
        "\(status) " + headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
    }

    /// The `X-Vigil-Decision` values.
    public enum Outcome: String, Sendable {
        case allow
        case deny
        case stepUp = "step_up"
        case noRoute = "no_route"
        case unauthenticated
        case invalidRequest = "invalid_request"
        case error
    }

    static func make(_ status: Int, _ outcome: Outcome, _ body: String,
                     _ extra: [(name: String, value: String)] = []) -> ForwardAuthResponse {
        ForwardAuthResponse(
            status: status,
            headers: [("X-Vigil-Decision", outcome.rawValue), ("Cache-Control", "no-store")] + extra,
            body: body + "\n")
    }

    /// A header value from arbitrary text: printable ASCII kept, anything else written as Cedar writes it in a
    /// string, `\u{…}`, so an id from a path or a token can never split or corrupt a header, and a uid shown
    /// here (already quoted by Cedar's rules) stays valid Cedar text.
    static func headerSafe(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value >= 0x20 && u.value < 0x7F {
                out.unicodeScalars.append(u)
            } else {
                out += "\\u{" + String(u.value, radix: 16) + "}"
            }
        }
        return out
    }

    /// A quoted-string for an auth-param (RFC 9110 §5.6.4): `"` and `\` escaped, anything not printable ASCII
    /// replaced as `headerSafe` does.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in headerSafe(s) {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
