import Foundation
import Logging
import ServiceLifecycle

/// Keeps time-partitioned tables within retention: creates partitions ahead, drops expired ones
/// (or deletes expired rows on SQLite). Start-up runs it once before serving; this repeats it.
struct MaintenanceService: Service {
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await Self.runOnce(store: store, logger: logger)
        }
    }

    static func runOnce(store: any Store, logger: Logger) async {
        do {
            let report = try await store.maintain(now: Date())
            if !report.partitionsCreated.isEmpty || !report.partitionsDropped.isEmpty || report.rowsDeleted > 0 {
                logger.info("maintenance", metadata: [
                    "created": "\(report.partitionsCreated.joined(separator: ","))",
                    "dropped": "\(report.partitionsDropped.joined(separator: ","))",
                    "rowsDeleted": "\(report.rowsDeleted)",
                ])
            }
        } catch {
            logger.error("maintenance failed; it runs again at the next interval", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}

/// Closes the store after everything else has stopped (it is the first service, so the last to end).
struct StoreCloser: Service {
    let store: any Store

    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}
