import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Synchronization

/// Builds the backend: the store the settings choose, the router, and the long-running services.
func buildApplication(_ config: BackendConfig, hostname: String, port: Int, logger: Logger) async throws -> some ApplicationProtocol {
    _ = try WebResources.loaded.get()
    let opened = try await openStore(config, logger: logger)
    let domain = Domain(store: opened.store, config: config, logger: logger)
    let router = buildRouter(domain: domain, journal: opened.journal, config: config)
    let maintenance = MaintenanceService(stores: opened, retention: domain.retention, interval: .seconds(config.maintenanceInterval.seconds), logger: logger)
    // Alerting reads the tables, so it starts only once the migrations are applied.
    let migrated = ReadyGate()
    let connections = ConnectionLimits.raiseDescriptorLimit()
    var app = Application(
        router: router,
        server: ConnectionLimits.server(idleTimeout: config.httpIdleTimeout),
        configuration: .init(
            address: .hostname(hostname, port: port), serverName: "metrics-backend",
            availableConnectionsDelegate: MaximumAvailableConnections(connections)),
        services: [StoreCloser(stores: opened)] + opened.services + [CancelOnShutdown(maintenance)]
            + alertingServices(domain: domain, config: config.alerting, logger: logger).map { AfterGate(service: $0, gate: migrated) },
        onServerRunning: { channel in
            // Tests and scripts that start the backend on port 0 read the real address from here.
            let address = channel.localAddress.map { "\($0.ipAddress ?? hostname):\($0.port ?? port)" } ?? "\(hostname):\(port)"
            FileHandle.standardOutput.write(Data("metrics-backend listening on http://\(address)\n".utf8))
        },
        logger: logger)
    app.beforeServerStarts {
        try await opened.waitUntilReachable()
        try await opened.migrate()
        migrated.open()
        await MaintenanceService.runOnce(stores: opened, retention: domain.retention, logger: logger)
        logger.info("storage ready", metadata: ["engine": "\(opened.store.engine)", "journal": "\(opened.journal.engine)"])
    }
    return app
}

/// Wires the controllers, each group of routes behind the middleware that says who may call it.
/// Kept apart from `buildApplication` so tests can drive it in-process.
func buildRouter(domain: Domain, journal: any JournalStore, config: BackendConfig) -> Router<AppRequestContext> {
    let store = domain.store
    let journalService = JournalService(journal: journal, ingest: domain.ingest, checks: store, rules: config.alerting.settings.logRules)
    let auth = TokenAuthenticator(store: store)
    let anonymous = config.allowAnonymousIngest
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: StorageErrorMiddleware())
    router.addRoutes(HealthController(store: store, journal: journal, leadership: domain.leadership).endpoints)
    // Pings carry their credential in the URL (a ping id or a ping key), answer errors in their
    // own form, and read their bodies between store calls: the storage deadline is around each call.
    router.addRoutes(PingController(store: store, heartbeats: domain.heartbeats, maxNameLength: config.reportLimits.maxNameLength).endpoints)

    // Senders: any live token, checked against the host it sends for. Their bodies may take
    // 30 s to arrive, so the storage deadline is around the store call alone.
    router.group("api/v1").add(middleware: CallerMiddleware(auth, .reporter(queryToken: false, allowAnonymous: anonymous)))
        .addRoutes(IngestController(ingest: domain.ingest, config: config).endpoints)
        .addRoutes(JournalController(journal: journalService, config: config).ingestEndpoints)
    // Loki clients may only know basic auth: the token is the password.
    router.group().add(middleware: CallerMiddleware(auth, .reporter(queryToken: false, basicAuth: true, allowAnonymous: anonymous)))
        .addRoutes(LokiController(journal: journalService, config: config).endpoints)
    // The original sender's routes, which may send `?token=`.
    router.group().add(middleware: CallerMiddleware(auth, .reporter(queryToken: true, allowAnonymous: anonymous)))
        .addRoutes(MetricCompatController(ingest: domain.ingest, config: config).endpoints)
        .addRoutes(LegacyJournalController(journal: journalService, config: config).endpoints)

    // Readers: a token for all hosts, or a browser session. Small bodies, read before the
    // storage deadline starts around the whole handler.
    let readers = router.group().add(middleware: CallerMiddleware(auth, .reader)).underStorageDeadline(bodyLimit: JSONRequest.maxBytes)
    readers.addRoutes(ReadController(store: store).endpoints, atPath: "/api/v1")
    readers.addRoutes(AlertController(store: store, alerting: domain.alerting).endpoints, atPath: "/api/v1")
    readers.addRoutes(NotificationGroupController(outbox: domain.outbox).endpoints, atPath: "/api/v1")
    readers.addRoutes(HeartbeatController(store: store, config: config).endpoints, atPath: "/api/v1")
    readers.addRoutes(JournalController(journal: journalService, config: config).searchEndpoints, atPath: "/api/v1")
    readers.addRoutes(PrometheusController(store: store).endpoints)

    addPages(to: router, store: store, alerting: domain.alerting, outbox: domain.outbox, leadership: domain.leadership, journal: journal, auth: auth, config: config)
    return router
}

/// The evaluator's scheduler, the delivery worker and the watchers of the backend itself.
func alertingServices(domain: Domain, config: AlertConfig, logger: Logger) -> [any Service] {
    let store = domain.store
    let leader = domain.leadership.flag
    var services: [any Service] = [
        CancelOnShutdown(DeadlineScheduler(store: store, alerting: domain.alerting, backend: domain.leadership.backend, leader: leader, logger: logger)),
    ]
    let notifiers = config.notifiers
    if !notifiers.isEmpty {
        services.append(CancelOnShutdown(DeliveryWorker(outbox: domain.outbox, notifiers: notifiers, signal: domain.alerting.outbox, leader: leader, logger: logger,
                                                                   groupInterval: config.groupInterval)))
        services.append(CancelOnShutdown(StorageWatch(store: store, notifiers: notifiers, leader: leader, logger: logger)))
    }
    // Without channels it has nobody to tell, but still ends a hung leader's session.
    if store.engine != "sqlite" {
        let takeOver = config.leaderTakeoverAfter.map(Double.init)
        services.append(CancelOnShutdown(LeaderWatch(leadership: domain.leadership, notifiers: notifiers, logger: logger, takeOverAfter: takeOver)))
    }
    if let url = config.selfHeartbeatURL { services.append(CancelOnShutdown(SelfHeartbeat(url: url, store: store, logger: logger))) }
    return services
}

/// Runs a service until graceful shutdown, then cancels it, so its sleeps end at once.
struct CancelOnShutdown<S: Service>: Service {
    let service: S
    init(_ service: S) { self.service = service }

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await service.run() }
    }
}

/// Opens once; those waiting on it go on then, and later waiters at once. A cancelled waiter
/// goes on too (and finds itself cancelled), so a failed start-up never hangs on it.
final class ReadyGate: Sendable {
    private struct State {
        var open = false
        var next = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = state.withLock { state in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.open || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Runs a service once the gate opens; a shutdown before then just ends it.
struct AfterGate: Service {
    let service: any Service
    let gate: ReadyGate

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await gate.wait()
            try Task.checkCancellation()
        }
        try await service.run()
    }
}
