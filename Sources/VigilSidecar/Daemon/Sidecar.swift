import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilCompiler
import VigilLog

/// Why vigild could not start.
public struct SidecarError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// vigild: the index's owner and the HTTP face of Vigil. Runs until SIGTERM or SIGINT, then shuts down cleanly
/// (servers stop accepting, in-flight requests finish, the writer lock is released).
public enum Sidecar {
    /// Starts every service and runs until a shutdown signal.
    /// - Throws: `SidecarError` when the data directory is locked by another vigild or cannot be set up.
    public static func run(_ options: SidecarOptions, logger: Logger) async throws {
        for (dir, mode) in [(options.data, 0o750), (options.data + "/state", 0o700)] {
            guard mkdir(dir, mode_t(mode)) == 0 || errno == EEXIST else {
                throw SidecarError("cannot create `\(dir)`: \(String(cString: strerror(errno)))")
            }
        }
        let writer: IndexWriter
        do { writer = try IndexWriter(directory: options.data) } catch {
            if case .locked = error {
                throw SidecarError("`\(options.data)` is owned by another vigild (or another writer): refusing to start")
            }
            throw SidecarError("\(error)")
        }
        defer { writer.close() }
        let publisher: Publisher
        do {
            publisher = try Publisher(
                writer: writer, policies: PolicyDirectory(directory: options.policies, schemaFile: options.schema),
                seedEntities: options.entities, seedLinks: options.links,
                journalPath: options.data + "/state/journal.jsonl", logger: logger)
        } catch { throw SidecarError(error.message) }
        await publisher.start()
        // Hosts (and this process's own decisions) log to rings here; hosts run as vigild's user (deployment.md).
        let rings = options.rings ?? options.data + "/rings"
        guard mkdir(rings, 0o750) == 0 || errno == EEXIST else {
            throw SidecarError("cannot create `\(rings)`: \(String(cString: strerror(errno)))")
        }
        if options.rings != nil { setenv("VIGIL_RING_DIR", rings, 1) }
        let authorizer: Authorizer
        do { authorizer = try Authorizer(path: options.data) } catch {
            // A first start with broken policy files: publish a deny-all index so hosts fail closed.
            do { try await publisher.publishDenyAll() } catch { throw SidecarError(error.message) }
            do { authorizer = try Authorizer(path: options.data) } catch { throw SidecarError(error.message) }
        }

        let metrics = SidecarMetrics()
        let acr = Dictionary(uniqueKeysWithValues: options.acrValues.compactMap { k, v in Int(k).map { ($0, v) } })
        let health = HealthRoutes(publisher: publisher, authorizer: authorizer, metrics: metrics)
        let data = DataRoutes(publisher: publisher, metrics: metrics, bodyLimit: options.maxBodyBytes,
                              importLimit: options.maxImportBytes)

        let router = Router(context: BasicRequestContext.self)
        DecisionRoutes(authorizer: authorizer, metrics: metrics, bodyLimit: options.maxBodyBytes, acrValues: acr)
            .register(on: router)
        health.register(on: router)
        if let routes = options.routes {
            let config: ForwardAuthConfig
            do { config = try await ForwardAuthConfig.load(file: routes, jwksFile: options.jwks) } catch {
                throw SidecarError("forward auth:\n\(error)")
            }
            ForwardAuthRoutes(forwardAuth: ForwardAuth(config: config), decide: { try authorizer.decide($0) },
                              observe: { metrics.request(route: "/v1/forward-auth", status: $0) })
                .register(on: router)
        }
        let trail: AuditTrail
        let drainer: RingDrainer
        do {
            trail = try AuditTrail(directory: options.audit ?? options.data + "/audit",
                                   maxFileBytes: options.auditMaxFileBytes)
            drainer = try RingDrainer(directory: rings)
        } catch { throw SidecarError("decision log: \(error)") }
        var services: [any Service] = [
            Application(router: router, configuration: .init(
                address: .hostname(options.listenHost, port: options.listenPort), serverName: "vigild"),
                logger: logger),
        ]

        // The admin and data API: on a Unix socket only its owner can connect to.
        let socket = options.adminSocketPath
        var st = stat()
        if lstat(socket, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK { unlink(socket) }
        let admin = Router(context: BasicRequestContext.self)
        data.register(on: admin)
        health.register(on: admin)
        services.append(Application(
            router: admin, configuration: .init(address: .unixDomainSocket(path: socket), serverName: "vigild-admin"),
            onServerRunning: { _ in chmod(socket, 0o600) }, logger: logger))

        // Optionally over TCP too, behind a bearer token.
        if let host = options.adminListenHost, let port = options.adminListenPort {
            guard let tokenFile = options.adminTokenFile,
                  let token = try? String(contentsOfFile: tokenFile, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines), token.utf8.count >= 16
            else { throw SidecarError("the admin API over TCP needs --admin-token-file with a token of 16+ bytes") }
            let tcpAdmin = Router(context: BasicRequestContext.self)
            tcpAdmin.add(middleware: BearerTokenMiddleware(token: token))
            data.register(on: tcpAdmin)
            health.register(on: tcpAdmin)
            services.append(Application(router: tcpAdmin, configuration: .init(
                address: .hostname(host, port: port), serverName: "vigild-admin"), logger: logger))
        }
        services.append(DrainService(drainer: drainer, trail: trail, metrics: metrics, authorizer: authorizer,
                                     intervalMs: options.drainIntervalMs, logger: logger))
        services.append(MaintenanceService(publisher: publisher, metrics: metrics,
                                           watchIntervalMs: options.watchIntervalMs,
                                           readerCheckSeconds: options.readerCheckSeconds))
        logger.info("vigild serving \(options.data) on \(options.listenHost):\(options.listenPort), admin at \(socket)")
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        authorizer.close()
        logger.info("vigild stopped")
    }
}

/// Admits only requests carrying `Authorization: Bearer <token>` (compared in constant time).
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = Array((request.headers[.authorization] ?? "").utf8)
        let expected = Array("Bearer \(token)".utf8)
        var diff = given.count ^ expected.count
        for i in 0..<expected.count { diff |= Int(expected[i] ^ (i < given.count ? given[i] : 0)) }
        guard diff == 0 else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }
}
