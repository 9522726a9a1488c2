import CVigil
import VigilPolicy

/// Why the C evaluator refused: a negative `VIGIL_E_*` status and its description.
public struct AuthorizerError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: Int32
    public var message: String

    init(_ status: Int32) {
        self.status = status
        self.message = String(cString: vigil_strerror(status))
    }

    public var description: String { message }
}

/// Decides requests against an index through the C evaluator (libvigil, `vigil.h`): Swift never re-implements
/// decision semantics, so Swift callers get exactly the answers C hosts get.
public final class Authorizer: @unchecked Sendable {
    // @unchecked: a vigil_index handle may be shared by any number of threads (vigil.h, THREADS); `close()` must
    // not race with decisions, as vigil_index_close() requires.
    private var open: OpaquePointer?

    /// Opens the index in `path` read-only.
    /// - Parameter failOpen: index errors decide ALLOW instead of DENY (`VIGIL_OPEN_FAIL_OPEN`).
    /// - Throws: `AuthorizerError` (`VIGIL_E_NOT_FOUND`, `VIGIL_E_NOT_INDEX`, `VIGIL_E_VERSION`, …).
    public init(path: String, failOpen: Bool = false) throws(AuthorizerError) {
        var ix: OpaquePointer?
        let rc = vigil_index_open(path, failOpen ? UInt32(VIGIL_OPEN_FAIL_OPEN) : 0, &ix)
        guard rc == VIGIL_OK, let ix else { throw AuthorizerError(rc) }
        open = ix
    }

    deinit { vigil_index_close(open) }

    /// Closes the index now rather than when the authorizer is released: every thread's reader slot is given
    /// back. No decision may be running; later calls throw `VIGIL_E_INVALID_ARG`. Closing twice does nothing.
    public func close() {
        vigil_index_close(open)
        open = nil
    }

    /// The open handle, or the error a closed authorizer answers.
    private var handle: OpaquePointer {
        get throws(AuthorizerError) {
            guard let open else { throw AuthorizerError(VIGIL_E_INVALID_ARG) }
            return open
        }
    }

    /// The generation of the index as this handle sees it now.
    public func generation() throws(AuthorizerError) -> UInt64 {
        var g: UInt64 = 0
        let rc = vigil_index_generation(try handle, &g)
        guard rc == VIGIL_OK else { throw AuthorizerError(rc) }
        return g
    }

    /// Decides one request.
    /// - Throws: `AuthorizerError` when the evaluator returns an error status (a bad context, a corrupt index);
    ///   the request is then denied (or allowed by a fail-open handle) and no decision is returned.
    public func decide(_ request: Request) throws(AuthorizerError) -> Decision {
        let ix = try handle
        var result = vigil_result()
        let rc = withCRequest(request) { req in vigil_decide(ix, req, &result) }
        guard rc == VIGIL_OK else { throw AuthorizerError(rc) }
        return decision(result, ix)
    }

    /// Decides many (action, resource) pairs for one principal, context and session in one call
    /// (`vigil_decide_batch`): one snapshot of the index, the context read once, work shared between the pairs.
    /// Each pair gets what `decide(_:)` would give the request made of it and the shared parts.
    /// - Parameters:
    ///   - principal: the principal of every pair.
    ///   - contextJSON: the context as Cedar JSON text (an object); `nil` for `{}`.
    ///   - sessionID: the session id every pair carries, when there is one.
    ///   - nowMs: the decision time (Unix ms) for expiry checks; `nil` for the system clock.
    ///   - pairs: the (action, resource) pairs, decided in order.
    /// - Returns: one result per pair, in order: its decision, or the error `decide(_:)` would throw for it. The C
    ///   ABI returns one status per call (the first failing pair's), so a pair that fails carries that status;
    ///   only when pairs fail for different reasons (a context that one action's context type refuses and a
    ///   resource id too long, say) can a pair's error name another pair's cause.
    /// - Throws: `AuthorizerError` only when the authorizer is closed.
    public func decideBatch(
        principal: EntityUID, contextJSON: String? = nil, sessionID: String? = nil, nowMs: Int64? = nil,
        pairs: [(action: EntityUID, resource: EntityUID)]
    ) throws(AuthorizerError) -> [Result<Decision, AuthorizerError>] {
        let ix = try handle
        guard !pairs.isEmpty else { return [] }
        var parts: [[UInt8]?] = [
            Array(principal.type.description.utf8), Array(principal.id.utf8),
            contextJSON.map { Array($0.utf8) }, sessionID.map { Array($0.utf8) },
        ]
        for (a, r) in pairs {
            parts += [Array(a.type.description.utf8), Array(a.id.utf8),
                      Array(r.type.description.utf8), Array(r.id.utf8)]
        }
        var results = [vigil_result](repeating: vigil_result(), count: pairs.count)
        let rc = Self.withCStrings(parts) { f in
            var base = vigil_request()
            (base.principal_type, base.principal_type_len) = f[0]
            (base.principal_id, base.principal_id_len) = f[1]
            (base.context_json, base.context_json_len) = f[2]
            (base.session_id, base.session_id_len) = f[3]
            base.now_ms = nowMs ?? 0
            // One request per pair carries both its action and its resource: the same array is passed twice.
            let each = (0..<pairs.count).map { i in
                var q = vigil_request()
                (q.action_type, q.action_type_len) = f[4 + 4 * i]
                (q.action_id, q.action_id_len) = f[5 + 4 * i]
                (q.resource_type, q.resource_type_len) = f[6 + 4 * i]
                (q.resource_id, q.resource_id_len) = f[7 + 4 * i]
                return q
            }
            return results.withUnsafeMutableBufferPointer { out in
                vigil_decide_batch(ix, &base, each.count, each, each, out.baseAddress)
            }
        }
        // A pair's result has reason ERROR exactly when deciding it failed, and then the call's status is not OK.
        return results.map { r in
            r.reason == VIGIL_REASON_ERROR ? .failure(AuthorizerError(rc)) : .success(decision(r, ix))
        }
    }

    /// Decides one request and returns a readable trace of why, as well as the decision.
    /// - Throws: as `decide(_:)`; a trace longer than 64 KiB is cut short, not an error.
    public func explain(_ request: Request) throws(AuthorizerError) -> (decision: Decision, trace: String) {
        let ix = try handle
        var result = vigil_result()
        var buffer = [CChar](repeating: 0, count: 65536)
        let rc = buffer.withUnsafeMutableBufferPointer { buf in
            withCRequest(request) { req in vigil_explain(ix, req, &result, buf.baseAddress, buf.count) }
        }
        guard rc == VIGIL_OK || rc == VIGIL_E_BUFFER else { throw AuthorizerError(rc) }
        return (decision(result, ix), Self.text(buffer))
    }

    /// The positional id and `@id` of a policy number.
    /// - Throws: `AuthorizerError` when the authorizer is closed.
    public func policyID(_ number: UInt32) throws(AuthorizerError) -> (id: String, annotated: String?) {
        Self.policyID(number, try handle)
    }

    private static func policyID(_ number: UInt32, _ handle: OpaquePointer) -> (id: String, annotated: String?) {
        // Ids are short in practice; a longer one is read again with room for the longest an index may hold.
        for capacity in [256, 1 << 20] {
            var id = [CChar](repeating: 0, count: capacity)
            var annotated = [CChar](repeating: 0, count: capacity)
            let rc = vigil_policy_id(handle, number, &id, id.count, &annotated, annotated.count)
            if rc == VIGIL_E_BUFFER && capacity < 1 << 20 { continue }
            let a = Self.text(annotated)
            return (Self.text(id), a.isEmpty ? nil : a)
        }
        return ("", nil)
    }

    private func decision(_ r: vigil_result, _ handle: OpaquePointer) -> Decision {
        var result = r
        let determining = Self.array(&result.determining, count: min(result.determining_count, UInt32(VIGIL_RESULT_MAX_POLICIES)))
        let errored = Self.array(&result.errored, count: min(result.error_count, UInt32(VIGIL_RESULT_MAX_POLICIES)))
        let ids = determining.map { Self.policyID($0, handle) }
        var errors: [Decision.PolicyError] = []
        for (i, n) in errored.enumerated() {
            var buffer = [CChar](repeating: 0, count: 1024)
            _ = vigil_error_message(handle, &result, UInt32(i), &buffer, buffer.count)
            errors.append(Decision.PolicyError(policyID: Self.policyID(n, handle).id, message: Self.text(buffer)))
        }
        let effect: Decision.Effect = switch result.effect {
        case VIGIL_ALLOW: .allow
        case VIGIL_STEP_UP: .stepUp
        default: .deny
        }
        let cause: Decision.Cause = switch result.reason {
        case VIGIL_REASON_POLICIES: .policies
        case VIGIL_REASON_SESSION_REVOKED: .sessionRevoked
        case VIGIL_REASON_SESSION_EXPIRED: .sessionExpired
        case VIGIL_REASON_SESSION_UNKNOWN: .sessionUnknown
        default: .error
        }
        return Decision(
            effect: effect, cause: cause, reasons: ids.map(\.id), annotatedReasons: ids.map(\.annotated),
            errors: errors, reasonCount: Int(result.determining_count), errorCount: Int(result.error_count),
            stepUpLevel: effect == .stepUp ? result.step_up_level : nil,
            maxAge: effect == .stepUp && result.max_age != UInt32.max ? result.max_age : nil,
            generation: result.generation)
    }

    /// Calls `body` with a `vigil_request` whose strings point into one buffer that lives for the call.
    private func withCRequest<T>(_ r: Request, _ body: (UnsafePointer<vigil_request>) -> T) -> T {
        let parts: [[UInt8]?] = [
            Array(r.principal.type.description.utf8), Array(r.principal.id.utf8),
            Array(r.action.type.description.utf8), Array(r.action.id.utf8),
            Array(r.resource.type.description.utf8), Array(r.resource.id.utf8),
            r.contextJSON.map { Array($0.utf8) }, r.sessionID.map { Array($0.utf8) },
        ]
        return Self.withCStrings(parts) { f in
            var req = vigil_request(
                principal_type: f[0].0, principal_type_len: f[0].1,
                principal_id: f[1].0, principal_id_len: f[1].1,
                action_type: f[2].0, action_type_len: f[2].1,
                action_id: f[3].0, action_id_len: f[3].1,
                resource_type: f[4].0, resource_type_len: f[4].1,
                resource_id: f[5].0, resource_id_len: f[5].1,
                context_json: f[6].0, context_json_len: f[6].1,
                session_id: f[7].0, session_id_len: f[7].1,
                now_ms: r.nowMs ?? 0)
            return body(&req)
        }
    }

    /// Calls `body` with each part as (address, length) in one buffer that lives for the call; a `nil` part is
    /// (NULL, 0), as `vigil_request` writes an absent context or session.
    private static func withCStrings<T>(
        _ parts: [[UInt8]?], _ body: ([(UnsafePointer<CChar>?, Int)]) -> T
    ) -> T {
        // One trailing byte so that an empty part still has a valid address.
        let storage = parts.reduce(into: [UInt8]()) { $0 += $1 ?? [] } + [0]
        return storage.withUnsafeBufferPointer { buf in
            let base = UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self)
            var fields: [(UnsafePointer<CChar>?, Int)] = []
            fields.reserveCapacity(parts.count)
            var offset = 0
            for p in parts {
                guard let p else {
                    fields.append((nil, 0))
                    continue
                }
                fields.append((base + offset, p.count))
                offset += p.count
            }
            return body(fields)
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The first `count` elements of a fixed-size C array (imported as a tuple).
    private static func array<T>(_ tuple: inout T, count: UInt32) -> [UInt32] {
        withUnsafeBytes(of: &tuple) { raw in
            (0..<Int(count)).map { raw.load(fromByteOffset: $0 * 4, as: UInt32.self) }
        }
    }
}
