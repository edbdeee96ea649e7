import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the backend: the store the settings choose, the router, and the long-running services.
func buildApplication(_ config: BackendConfig, hostname: String, port: Int, logger: Logger) async throws -> some ApplicationProtocol {
    let opened = try await openStore(config, logger: logger)
    let store = opened.store
    let router = buildRouter(store: store, config: config)
    let maintenance = MaintenanceService(store: store, interval: .seconds(config.maintenanceInterval.seconds), logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(hostname, port: port), serverName: "metrics-backend"),
        services: [StoreCloser(store: store)] + opened.services + [CancelOnShutdown(maintenance)],
        onServerRunning: { channel in
            // Tests and scripts that start the backend on port 0 read the real address from here.
            let address = channel.localAddress.map { "\($0.ipAddress ?? hostname):\($0.port ?? port)" } ?? "\(hostname):\(port)"
            FileHandle.standardOutput.write(Data("metrics-backend listening on http://\(address)\n".utf8))
        },
        logger: logger)
    app.beforeServerStarts {
        try await store.migrate()
        await MaintenanceService.runOnce(store: store, logger: logger)
        logger.info("storage ready", metadata: ["engine": "\(store.engine)"])
    }
    return app
}

/// Wires the controllers. Kept apart from `buildApplication` so tests can drive it in-process.
func buildRouter(store: any Store, config: BackendConfig) -> Router<AppRequestContext> {
    let auth = TokenAuthenticator(store: store)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.addRoutes(HealthController(store: store).endpoints)
    router.addRoutes(IngestController(store: store, auth: auth, config: config).endpoints, atPath: "/api/v1")
    router.addRoutes(ReadController(store: store, auth: auth).endpoints, atPath: "/api/v1")
    router.addRoutes(MetricCompatController(store: store, auth: auth, config: config).endpoints)
    return router
}

/// Runs a service until graceful shutdown, then cancels it, so its sleeps end at once.
struct CancelOnShutdown<S: Service>: Service {
    let service: S
    init(_ service: S) { self.service = service }

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await service.run() }
    }
}
