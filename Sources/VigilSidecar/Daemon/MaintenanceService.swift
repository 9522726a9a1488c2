import Logging
import ServiceLifecycle

/// The sidecar's periodic work: noticing policy edits (and publishing them) and clearing reader slots that
/// crashed hosts left behind, until a graceful shutdown.
struct MaintenanceService: Service {
    let publisher: Publisher
    let metrics: SidecarMetrics
    let watchIntervalMs: Int
    let readerCheckSeconds: Int

    func run() async throws {
        let checkEvery = max(1, readerCheckSeconds * 1000 / max(1, watchIntervalMs))
        var tick = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await publisher.reloadPolicies()
            tick += 1
            if tick % checkEvery == 0 { metrics.staleReadersCleared(await publisher.clearStaleReaders()) }
            try? await Task.sleep(for: .milliseconds(watchIntervalMs))
        }
    }
}
