import Foundation
import Logging
import ServiceLifecycle

/// Keeps time-partitioned tables within retention: creates partitions ahead, drops expired ones
/// (or deletes expired rows on SQLite). Start-up runs it once before serving; this repeats it.
struct MaintenanceService: Service {
    let stores: OpenedStore
    let retention: Retention
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await Self.runOnce(stores: stores, retention: retention, logger: logger)
        }
    }

    static func runOnce(stores: OpenedStore, retention: Retention, logger: Logger) async {
        await runOnce(name: "metrics", logger: logger) { try await stores.store.maintain(retention.cutoffs(now: Date())) }
        await runOnce(name: "journal", logger: logger) { try await stores.journal.maintain(now: Date()) }
    }

    private static func runOnce(name: String, logger: Logger, _ maintain: () async throws -> MaintenanceReport) async {
        do {
            let report = try await maintain()
            if !report.partitionsCreated.isEmpty || !report.partitionsDropped.isEmpty || report.rowsDeleted > 0 {
                logger.info("maintenance", metadata: [
                    "store": "\(name)",
                    "created": "\(report.partitionsCreated.joined(separator: ","))",
                    "dropped": "\(report.partitionsDropped.joined(separator: ","))",
                    "rowsDeleted": "\(report.rowsDeleted)",
                ])
            }
        } catch {
            logger.error("maintenance failed; it runs again at the next interval", metadata: ["store": "\(name)", "error": "\(LoggedError.text(error))"])
        }
    }
}

/// Closes the store after everything else has stopped (it is the first service, so the last to end).
struct StoreCloser: Service {
    let stores: OpenedStore

    func run() async throws {
        try? await gracefulShutdown()
        await stores.close()
    }
}
