import Foundation
import Logging
import ServiceLifecycle

/// The store the settings choose, and the services it needs running (PostgreSQL's pool).
struct OpenedStore: Sendable {
    var store: any Store
    var services: [any Service]
}

func openStore(_ config: BackendConfig, logger: Logger) async throws -> OpenedStore {
    if let url = config.databaseURL {
        let store = PostgresStore(
            url: try DatabaseURL(parsing: url, variable: "DATABASE_URL"), poolSize: config.databasePoolSize,
            sampleRetention: config.sampleRetention, logger: logger)
        return OpenedStore(store: store, services: [store.client])
    }
    let path = (config.dataDirectory as NSString).appendingPathComponent("metrics.sqlite")
    let store = try await SQLiteStore.open(path: path, sampleRetention: config.sampleRetention, logger: logger)
    return OpenedStore(store: store, services: [])
}

/// Runs `body` with the store's services running, for one-shot commands (migrate, token).
func withStore<T: Sendable>(_ config: BackendConfig, logger: Logger, _ body: @escaping @Sendable (any Store) async throws -> T) async throws -> T {
    let opened = try await openStore(config, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        for service in opened.services {
            group.addTask {
                try await service.run()
                return nil
            }
        }
        group.addTask { try await body(opened.store) }
        defer { group.cancelAll() }
        while let result = try await group.next() {
            if let result {
                await opened.store.close()
                return result
            }
        }
        throw StoreError.unavailable("the store's services stopped")
    }
}
