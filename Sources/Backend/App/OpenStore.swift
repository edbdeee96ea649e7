import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The stores the settings choose, and the services they need running (PostgreSQL's pools).
struct OpenedStore: Sendable {
    var store: any Store
    var journal: any JournalStore
    var services: [any Service]
}

func openStore(_ config: BackendConfig, logger: Logger) async throws -> OpenedStore {
    var services: [any Service] = []
    let store: any Store
    var mainClient: PostgresClient?
    if let url = config.databaseURL {
        let client = PostgresStore.makeClient(url: try DatabaseURL(parsing: url, variable: "DATABASE_URL"), poolSize: config.databasePoolSize, logger: logger)
        services.append(client)
        mainClient = client
        store = PostgresStore(client: client, sampleRetention: config.sampleRetention, checkLimit: config.checkLimit, logger: logger)
    } else {
        let path = (config.dataDirectory as NSString).appendingPathComponent("metrics.sqlite")
        store = try await SQLiteStore.open(path: path, sampleRetention: config.sampleRetention, checkLimit: config.checkLimit, logger: logger)
    }
    let journal: any JournalStore
    if let url = config.journalDatabaseURL {
        let client = PostgresStore.makeClient(url: try DatabaseURL(parsing: url, variable: "JOURNAL_DATABASE_URL"), poolSize: config.databasePoolSize, logger: logger)
        services.append(client)
        journal = PostgresJournalStore(client: client, retention: config.journalRetention, logger: logger)
    } else if let mainClient {
        journal = PostgresJournalStore(client: mainClient, retention: config.journalRetention, logger: logger)
    } else {
        let path = (config.dataDirectory as NSString).appendingPathComponent("journal.sqlite")
        journal = try await SQLiteJournalStore.open(path: path, retention: config.journalRetention, logger: logger)
    }
    return OpenedStore(store: store, journal: journal, services: services)
}

extension OpenedStore {
    /// Waits until both databases answer, or fails with a message to act on: PostgreSQL's pool
    /// otherwise retries a wrong URL forever, and a command would hang instead of saying so.
    func waitUntilReachable(timeout: Duration = .seconds(15)) async throws {
        let (store, journal) = (self.store, self.journal)
        let failure = StoreError.unavailable("no answer from the database within \(timeout.components.seconds) s; check that it runs and that DATABASE_URL (and JOURNAL_DATABASE_URL) name the right host, port, database and user; the log above says what failed")
        guard let answer = await withDeadline(timeout, {
            try await store.ping()
            try await journal.ping()
        }) else { throw failure }
        try answer.get()
    }

    func migrate() async throws {
        try await store.migrate()
        try await journal.migrate()
    }

    func close() async {
        await journal.close()
        await store.close()
    }
}

/// Runs `body` with the stores' services running, for one-shot commands (migrate, token). The
/// services are cancelled, not awaited, afterwards: the command is done and about to exit.
func withStores<T: Sendable>(_ config: BackendConfig, logger: Logger, _ body: @escaping @Sendable (OpenedStore) async throws -> T) async throws -> T {
    let opened = try await openStore(config, logger: logger)
    let services = opened.services.map { service in Task { try await service.run() } }
    defer { services.forEach { $0.cancel() } }
    do {
        try await opened.waitUntilReachable()
        let result = try await body(opened)
        await opened.close()
        return result
    } catch {
        await opened.close()
        throw error
    }
}

/// `withStores` for commands that need only the main store.
func withStore<T: Sendable>(_ config: BackendConfig, logger: Logger, _ body: @escaping @Sendable (any Store) async throws -> T) async throws -> T {
    try await withStores(config, logger: logger) { try await body($0.store) }
}
