import Foundation
import Hummingbird
import VigilCompiler

/// Status, health and metrics: `GET /v1/status` (generation, counts, and the located errors of a refused policy
/// edit), `/healthz` (the process answers), `/readyz` (a generation is live and readable), `/metrics`.
struct HealthRoutes: Sendable {
    let publisher: Publisher
    let authorizer: Authorizer
    let metrics: SidecarMetrics

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/status") { _, _ in HTTPJSON.encoded(.ok, await self.publisher.status()) }
        router.get("/healthz") { _, _ in HTTPJSON.text(.ok, "ok\n") }
        router.get("/readyz") { _, _ in
            let status = await self.publisher.status()
            // Ready when hosts can decide: the index opens and has a generation.
            guard status.live, let generation = try? self.authorizer.generation(), generation > 0 else {
                return HTTPJSON.text(.serviceUnavailable, "not ready: no valid policy set is live\n")
            }
            return HTTPJSON.text(.ok, "ready: generation \(status.generation)\n")
        }
        router.get("/metrics") { _, _ in
            HTTPJSON.text(.ok, self.metrics.render(status: await self.publisher.status()),
                          contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
