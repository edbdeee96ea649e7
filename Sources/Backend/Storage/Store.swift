import Foundation
import Shared

/// Everything the backend keeps. Two engines implement it: `SQLiteStore` (the embedded default)
/// and `PostgresStore`. One contract test suite runs the same cases against both.
protocol Store: Sendable {
    /// Applies pending versioned migrations; safe when several backends start at once.
    func migrate() async throws
    /// Answers when the database does (`/readyz`).
    func ping() async throws

    /// Stores one report in one transaction: upserts the host and its checks, appends samples for
    /// numeric observations. Idempotent: a retried report (same host and sentAt) adds no samples.
    /// Returns only after commit.
    func ingest(_ report: Report, receivedAt: Date) async throws -> IngestResult

    func hosts() async throws -> [HostRecord]
    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord]
    func samples(host: String, check: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]
    /// Deletes a check and its samples; false when there was no such check.
    func deleteCheck(host: String, name: String) async throws -> Bool

    /// Records a token by the SHA-256 hex of its secret.
    func createToken(host: String?, secretHash: String, at: Date) async throws -> TokenRecord
    func tokens() async throws -> [TokenRecord]
    /// False when there was no such unrevoked token.
    func revokeToken(id: Int64, at: Date) async throws -> Bool
    /// The unrevoked token with this secret hash, if any.
    func token(secretHash: String) async throws -> TokenRecord?

    /// Retention and partition upkeep: drops samples older than the retention, creates partitions ahead.
    func maintain(now: Date) async throws
    func shutdown() async
}
