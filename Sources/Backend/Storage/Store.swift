import Foundation
import Shared

/// Everything the backend keeps, as small repositories over one database. Two engines implement
/// them: `SQLiteStore` (embedded default) and `PostgresStore`, each in its own SQL. No engine
/// decides when a person is notified: the domain services (`Sources/Backend/Domain`) do.
protocol Store: CheckRepository, CheckPageRepository, IngestRepository, AlertRepository, OutboxRepository,
    LeadershipRepository, TokenRepository, UserRepository, LoginRecordRepository, PingRepository {
    /// "sqlite", "postgres" or "postgres+timescaledb": what `/readyz` and the logs show.
    var engine: String { get }

    /// Applies every migration not yet applied. Safe when several backends start at once.
    func migrate() async throws
    /// Creates time partitions ahead, and drops or deletes what is older than the cutoffs.
    func maintain(_ cutoffs: RetentionCutoffs) async throws -> MaintenanceReport
    /// Answers when the database does.
    func ping() async throws
    func close() async
}

/// Up to when each kind of row is deleted; the domain's `Retention` decides them.
struct RetentionCutoffs: Sendable, Equatable {
    var now: Date
    var samples: Date
    /// Report ids kept to recognise a sender's retry.
    var reportKeys: Date
    /// Pings and finished notifications.
    var history: Date
    var loginRecords: Date
}

struct MaintenanceReport: Sendable, Equatable {
    var partitionsCreated: [String] = []
    var partitionsDropped: [String] = []
    var rowsDeleted: Int = 0
}

enum StoreError: Error, CustomStringConvertible {
    /// The database cannot be reached or refused the work; the caller should retry later.
    case unavailable(String)
    /// A migration this binary does not know is applied: the database is newer than the binary.
    case schemaTooNew(applied: Int, known: Int)

    var description: String {
        switch self {
        case .unavailable(let why): return "storage unavailable: \(why)"
        case .schemaTooNew(let applied, let known):
            return "the database has schema version \(applied) but this backend knows only \(known); upgrade metrics-backend"
        }
    }
}
