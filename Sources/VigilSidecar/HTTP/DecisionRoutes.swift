import Foundation
import Hummingbird
import VigilCompiler
import VigilPolicy

/// Remote decisions, through the same C evaluator hosts load: Vigil's own `POST /v1/authorize` and the AuthZEN
/// Authorization API 1.0 (`POST /access/v1/evaluation`, `POST /access/v1/evaluations`).
///
/// AuthZEN mapping: `subject` {type, id} is the principal; `action.name` is the id of an `Action` entity (or a
/// whole uid such as `Ns::Action::"read"`); `resource` {type, id}; `context` is Cedar JSON context. Vigil's
/// session id travels as `subject.properties.session_id`. STEP_UP answers `decision: false` with `context`
/// carrying `acr_values` and `max_age`, so a client knows to step up rather than give up.
struct DecisionRoutes: Sendable {
    let authorizer: Authorizer
    let metrics: SidecarMetrics
    let bodyLimit: Int
    /// The acr value for each step-up level (index 1...3).
    let acrValues: [Int: String]

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/authorize") { request, _ in await self.handle(request, route: "/v1/authorize", self.native) }
        router.post("/access/v1/evaluation") { request, _ in
            await self.handle(request, route: "/access/v1/evaluation", self.evaluation)
        }
        router.post("/access/v1/evaluations") { request, _ in
            await self.handle(request, route: "/access/v1/evaluations", self.evaluations)
        }
        router.get("/.well-known/authzen-configuration") { request, _ in
            let response = self.metadata(request)
            self.metrics.request(route: "/.well-known/authzen-configuration", status: Int(response.status.code))
            return response
        }
    }

    /// AuthZEN's PDP metadata: this decision point's identifier and its two endpoints, as absolute URLs on the
    /// host the client asked (clients check that the identifier is the URL they discovered it at). Search is
    /// not offered, so its endpoints are absent.
    private func metadata(_ request: Request) -> Response {
        guard let host = request.head.authority, !host.isEmpty,
              !host.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "@" || $0.isWhitespace })
        else { return HTTPJSON.error(400, "a Host header naming this server is required") }
        let pdp = "http://\(host)"
        return HTTPJSON.response(.ok, [
            "policy_decision_point": pdp,
            "access_evaluation_endpoint": pdp + "/access/v1/evaluation",
            "access_evaluations_endpoint": pdp + "/access/v1/evaluations",
        ])
    }

    private func handle(_ request: Request, route: String,
                        _ body: ([String: Any]) throws(BodyError) -> Response) async -> Response {
        let response: Response
        do { response = try body(try await HTTPJSON.object(request, limit: bodyLimit)) } catch {
            response = HTTPJSON.error(error.status, error.message)
        }
        metrics.request(route: route, status: Int(response.status.code))
        return response
    }

    // MARK: Vigil's own shape

    private func native(_ json: [String: Any]) throws(BodyError) -> Response {
        let req = VigilCompiler.Request(
            principal: try uid(json["principal"], "principal"), action: try uid(json["action"], "action"),
            resource: try uid(json["resource"], "resource"), contextJSON: try contextText(json["context"], "context"),
            sessionID: try optionalString(json["session"], "session"))
        let decision: Decision
        do { decision = try authorizer.decide(req) } catch { throw BodyError(status: 400, message: error.message) }
        var out: [String: Any] = [
            "decision": decision.effect.rawValue.uppercased(), "reasons": decision.reasons,
            "annotated_reasons": decision.annotatedReasons.map { $0 ?? NSNull() as Any },
            "errors": decision.errors.map { ["policy": $0.policyID, "message": $0.message] },
            "generation": decision.generation, "cause": cause(decision.cause),
        ]
        if decision.effect == .stepUp {
            out["step_up"] = ["level": decision.stepUpLevel ?? 0, "max_age": decision.maxAge.map { $0 as Any } ?? NSNull(),
                              "acr_values": acr(decision.stepUpLevel)]
        }
        return HTTPJSON.response(.ok, out)
    }

    // MARK: AuthZEN

    private func evaluation(_ json: [String: Any]) throws(BodyError) -> Response {
        HTTPJSON.response(.ok, try evaluate(json, path: "$"))
    }

    /// AuthZEN's `options.evaluations_semantic`: how far a batch runs.
    private enum EvaluationsSemantic: String, CaseIterable {
        case executeAll = "execute_all"
        case denyOnFirstDeny = "deny_on_first_deny"
        case permitOnFirstPermit = "permit_on_first_permit"

        /// Whether the batch stops after an item with this decision (its answer is the last one returned).
        func stops(after decision: Bool) -> Bool {
            switch self {
            case .executeAll: return false
            case .denyOnFirstDeny: return !decision
            case .permitOnFirstPermit: return decision
            }
        }
    }

    /// The batch form: defaults at the top level, each item overriding subject, action, resource or context.
    /// With a short-circuiting `options.evaluations_semantic`, the answer ends at the first deny or permit, as
    /// AuthZEN says, so it may hold fewer items than the request.
    private func evaluations(_ json: [String: Any]) throws(BodyError) -> Response {
        guard let items = json["evaluations"] else { return try evaluation(json) }
        guard let list = items as? [[String: Any]] else {
            throw BodyError(status: 400, message: "$.evaluations: expected an array of objects")
        }
        guard list.count <= 1024 else { throw BodyError(status: 413, message: "$.evaluations: at most 1024 items") }
        let semantic = try evaluationsSemantic(json["options"])
        var defaults = json
        defaults["evaluations"] = nil
        defaults["options"] = nil
        var results: [[String: Any]] = []
        for (i, item) in list.enumerated() {
            var merged = defaults
            for (k, v) in item { merged[k] = v }
            let result = try evaluate(merged, path: "$.evaluations[\(i)]")
            results.append(result)
            if semantic.stops(after: result["decision"] as? Bool ?? false) { break }
        }
        return HTTPJSON.response(.ok, ["evaluations": results])
    }

    private func evaluationsSemantic(_ options: Any?) throws(BodyError) -> EvaluationsSemantic {
        guard let options, !(options is NSNull) else { return .executeAll }
        guard let object = options as? [String: Any] else {
            throw BodyError(status: 400, message: "$.options: expected an object")
        }
        guard let value = object["evaluations_semantic"], !(value is NSNull) else { return .executeAll }
        guard let text = value as? String, let semantic = EvaluationsSemantic(rawValue: text) else {
            let known = EvaluationsSemantic.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            throw BodyError(status: 400, message: "$.options.evaluations_semantic: expected one of \(known)")
        }
        return semantic
    }

    private func evaluate(_ json: [String: Any], path: String) throws(BodyError) -> [String: Any] {
        guard let subject = json["subject"] as? [String: Any] else {
            throw BodyError(status: 400, message: "\(path).subject: expected an object {type, id}")
        }
        let principal = try uid(subject, "\(path).subject")
        guard let action = json["action"] as? [String: Any], let name = action["name"] as? String, !name.isEmpty else {
            throw BodyError(status: 400, message: "\(path).action.name: expected a string")
        }
        let actionUID = name.contains("::\"") ? try parsedUID(name, "\(path).action.name")
            : EntityUID(type: Name(basename: "Action"), id: name)
        let resource = try uid(json["resource"], "\(path).resource")
        let properties = subject["properties"] as? [String: Any]
        let session = try optionalString(properties?["session_id"], "\(path).subject.properties.session_id")
        let req = VigilCompiler.Request(principal: principal, action: actionUID, resource: resource,
                                        contextJSON: try contextText(json["context"], "\(path).context"),
                                        sessionID: session)
        let decision: Decision
        do { decision = try authorizer.decide(req) } catch {
            // Fail closed, and say why (AuthZEN's reason_admin).
            return ["decision": false, "context": ["reason_admin": ["message": error.message]]]
        }
        // Policies by their `@id` where they have one: what an operator reads.
        let reasons = zip(decision.reasons, decision.annotatedReasons).map { $1 ?? $0 }
        var context: [String: Any] = ["vigil": [
            "effect": decision.effect.rawValue.uppercased(), "reasons": reasons,
            "generation": decision.generation, "cause": cause(decision.cause),
        ]]
        if decision.effect == .stepUp {
            context["acr_values"] = acr(decision.stepUpLevel)
            if let maxAge = decision.maxAge { context["max_age"] = maxAge }
            context["reason_user"] = ["message": "stronger authentication is required"]
        }
        return ["decision": decision.effect == .allow, "context": context]
    }

    // MARK: Reading the body

    private func uid(_ value: Any?, _ path: String) throws(BodyError) -> EntityUID {
        guard let obj = value as? [String: Any], let type = obj["type"] as? String, let id = obj["id"] as? String,
              !type.isEmpty
        else { throw BodyError(status: 400, message: "\(path): expected an object with string `type` and `id`") }
        return EntityUID(type: Name(qualified: type), id: id)
    }

    private func parsedUID(_ text: String, _ path: String) throws(BodyError) -> EntityUID {
        guard let uid = EntityUID(parsing: text) else {
            throw BodyError(status: 400, message: "\(path): `\(text)` is not an entity uid")
        }
        return uid
    }

    private func contextText(_ value: Any?, _ path: String) throws(BodyError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard value is [String: Any], let data = try? JSONSerialization.data(withJSONObject: value) else {
            throw BodyError(status: 400, message: "\(path): expected an object")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func optionalString(_ value: Any?, _ path: String) throws(BodyError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let s = value as? String else { throw BodyError(status: 400, message: "\(path): expected a string") }
        return s
    }

    private func acr(_ level: UInt32?) -> String {
        let n = Int(level ?? 1)
        return acrValues[n] ?? "urn:vigil:aal\(n)"
    }

    private func cause(_ c: Decision.Cause) -> String {
        switch c {
        case .policies: return "policies"
        case .sessionRevoked: return "session_revoked"
        case .sessionExpired: return "session_expired"
        case .sessionUnknown: return "session_unknown"
        case .error: return "error"
        }
    }
}
