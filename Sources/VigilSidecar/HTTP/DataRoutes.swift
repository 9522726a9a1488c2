import Foundation
import Hummingbird

/// The data API, served only on the admin socket (or over TCP with a bearer token): each change becomes one
/// durable generation, acknowledged with that generation once it is committed. Invalid input is answered 4xx
/// with located errors and changes nothing.
struct DataRoutes: Sendable {
    let publisher: Publisher
    let metrics: SidecarMetrics
    /// Limit for ordinary bodies, and for bulk imports.
    let bodyLimit: Int
    let importLimit: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/entities") { r, c in await self.change(r, c, .upsertEntities, [], limit: self.bodyLimit) }
        router.post("/v1/entities/import") { r, c in
            await self.change(r, c, .upsertEntities, [], limit: self.importLimit)
        }
        router.delete("/v1/entities/:type/:id") { r, c in await self.change(r, c, .deleteEntity, ["type", "id"]) }
        router.put("/v1/entities/:type/:id/attributes/:name") { r, c in
            await self.change(r, c, .setAttribute, ["type", "id", "name"])
        }
        router.put("/v1/principals/:type/:id/risk") { r, c in await self.change(r, c, .setRisk, ["type", "id"]) }
        router.put("/v1/sessions/:id") { r, c in await self.change(r, c, .upsertSession, ["id"]) }
        router.post("/v1/sessions/:id/revoke") { r, c in await self.change(r, c, .revokeSession, ["id"]) }
        router.post("/v1/links") { r, c in await self.change(r, c, .addLink, []) }
        router.delete("/v1/links/:id") { r, c in await self.change(r, c, .removeLink, ["id"]) }
        router.post("/v1/policies/reload") { _, _ in
            let generation = await self.publisher.reloadPolicies(force: true)
            let status = await self.publisher.status()
            return HTTPJSON.response(status.policyErrors.isEmpty ? .ok : .unprocessableContent, [
                "published": generation != nil, "generation": status.generation,
                "errors": status.policyErrors.map { $0.message },
            ])
        }
    }

    private func change(_ request: Request, _ context: BasicRequestContext, _ op: DataRequest.Operation,
                        _ names: [String], limit: Int? = nil) async -> Response {
        let response: Response
        do {
            let body = op == .deleteEntity || op == .revokeSession || op == .removeLink ? ""
                : try await HTTPJSON.body(request, limit: limit ?? bodyLimit)
            let params = names.map { context.parameters.get($0).flatMap { $0.removingPercentEncoding } ?? "" }
            let req = DataRequest(op: op, params: params, body: body)
            let generation = try await publisher.apply(req)
            response = HTTPJSON.response(.ok, ["generation": generation])
        } catch let error as BodyError {
            response = HTTPJSON.error(error.status, error.message)
        } catch let error as DataChangeError {
            response = HTTPJSON.error(error.status, error.message, problems: error.problems)
        } catch {
            response = HTTPJSON.error(500, "\(error)")
        }
        metrics.request(route: op.rawValue, status: Int(response.status.code))
        return response
    }
}
