import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VigilPolicy

/// `vigil authorize --remote URL`: one decision made by a running vigild (`POST URL/v1/authorize`), printed as a
/// local one is.
enum RemoteDecision {
    static func run(_ base: String, principal: EntityUID?, action: EntityUID?, resource: EntityUID?,
                    context: String?, session: String?) throws {
        guard let principal, let action, let resource else {
            throw ValidationError("--principal, --action and --resource must be entity uids such as `User::\"alice\"`")
        }
        guard let url = URL(string: base.hasSuffix("/") ? base + "v1/authorize" : base + "/v1/authorize") else {
            throw ValidationError("--remote must be a URL such as http://127.0.0.1:8180")
        }
        func uid(_ u: EntityUID) -> [String: String] { ["type": u.type.description, "id": u.id] }
        var body: [String: Any] = ["principal": uid(principal), "action": uid(action), "resource": uid(resource)]
        if let context {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(context.utf8)) else {
                throw ValidationError("--context is not JSON")
            }
            body["context"] = parsed
        }
        if let session { body["session"] = session }
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, status) = try send(request)
        guard let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("vigild answered \(status) with no JSON")
        }
        guard status == 200 else {
            throw fail(((answer["error"] as? [String: Any])?["message"] as? String) ?? "vigild answered \(status)")
        }
        let stepUp = answer["step_up"] as? [String: Any]
        let cause = answer["cause"] as? String
        DecisionPrinter.print(
            effect: (answer["decision"] as? String ?? "deny").lowercased(), stepUpLevel: stepUp?["level"] as? Int,
            maxAge: stepUp?["max_age"] as? Int, cause: cause == "policies" || cause == "error" ? nil : cause,
            reasons: zip(answer["reasons"] as? [String] ?? [], answer["annotated_reasons"] as? [Any] ?? [])
                .map { ($0, $1 as? String) },
            errors: (answer["errors"] as? [[String: String]] ?? []).map { ($0["policy"] ?? "", $0["message"] ?? "") },
            generation: (answer["generation"] as? NSNumber)?.uint64Value ?? 0)
    }

    private static func send(_ request: URLRequest) throws -> (Data, Int) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data, Int)?
        nonisolated(unsafe) var failure: Error?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { failure = error } else {
                result = (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)
            }
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw fail("cannot reach vigild at \(request.url?.absoluteString ?? ""): \(failure.localizedDescription)") }
        return result ?? (Data(), 0)
    }

    private static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("vigil authorize: \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// How `vigil authorize` prints one decision, local or remote.
enum DecisionPrinter {
    static func print(effect: String, stepUpLevel: Int?, maxAge: Int?, cause: String?,
                      reasons: [(String, String?)], errors: [(String, String)], generation: UInt64) {
        var line = effect
        if let stepUpLevel { line += " (assurance level \(stepUpLevel)\(maxAge.map { ", max age \($0)s" } ?? ""))" }
        switch cause {
        case "session_revoked": line += ": the session was revoked"
        case "session_expired": line += ": the session expired"
        case "session_unknown": line += ": the session is unknown"
        default: break
        }
        Swift.print(line)
        for (id, annotated) in reasons { Swift.print("  reason: \(id)\(annotated.map { " @id(\"\($0)\")" } ?? "")") }
        for (id, message) in errors { Swift.print("  error: \(id): \(message)") }
        Swift.print("  generation: \(generation)")
    }
}
