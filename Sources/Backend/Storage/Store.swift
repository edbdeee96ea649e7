import Foundation
import Shared

/// Everything the backend keeps. Two engines implement it: `SQLiteStore` (embedded default)
/// and `PostgresStore`. `StoreContractTests` runs the same cases against both.
protocol Store: Sendable {
    /// "sqlite", "postgres" or "postgres+timescaledb": what `/readyz` and the logs show.
    var engine: String { get }

    /// Applies every migration not yet applied. Safe when several backends start at once.
    func migrate() async throws
    /// Creates time partitions ahead and drops expired ones (or deletes expired rows).
    func maintain(now: Date) async throws -> MaintenanceReport
    /// Answers when the database does.
    func ping() async throws
    func close() async

    /// Stores a validated report in one transaction; returns only after commit.
    func ingest(_ report: Report, receivedAt: Date) async throws -> IngestOutcome

    func hosts() async throws -> [HostRecord]
    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord]
    /// Samples of one check, oldest first; nil when the check does not exist.
    func samples(host: String, name: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]?
    /// Deletes a check with its samples and flips; false when there was none.
    func deleteCheck(host: String, name: String) async throws -> Bool

    func createToken(_ token: NewToken) async throws -> TokenRecord
    func tokens() async throws -> [TokenRecord]
    /// Marks a token revoked; false when no live token has that id.
    func revokeToken(id: Int64, at: Date) async throws -> Bool
    func token(hash: String) async throws -> TokenRecord?
}

enum IngestOutcome: Sendable, Equatable {
    case stored(samples: Int)
    /// The same report arrived before (a retry); nothing was written again.
    case duplicate
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
