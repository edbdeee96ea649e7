import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

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
        store = PostgresStore(client: client, sampleRetention: config.sampleRetention, logger: logger)
    } else {
        let path = (config.dataDirectory as NSString).appendingPathComponent("metrics.sqlite")
        store = try await SQLiteStore.open(path: path, sampleRetention: config.sampleRetention, logger: logger)
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
    func migrate() async throws {
        try await store.migrate()
        try await journal.migrate()
    }

    func close() async {
        await journal.close()
        await store.close()
    }
}

/// Runs `body` with the stores' services running, for one-shot commands (migrate, token).
func withStores<T: Sendable>(_ config: BackendConfig, logger: Logger, _ body: @escaping @Sendable (OpenedStore) async throws -> T) async throws -> T {
    let opened = try await openStore(config, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        for service in opened.services {
            group.addTask {
                try await service.run()
                return nil
            }
        }
        group.addTask { try await body(opened) }
        defer { group.cancelAll() }
        while let result = try await group.next() {
            if let result {
                await opened.close()
                return result
            }
        }
        throw StoreError.unavailable("the store's services stopped")
    }
}

/// `withStores` for commands that need only the main store.
func withStore<T: Sendable>(_ config: BackendConfig, logger: Logger, _ body: @escaping @Sendable (any Store) async throws -> T) async throws -> T {
    try await withStores(config, logger: logger) { try await body($0.store) }
}
