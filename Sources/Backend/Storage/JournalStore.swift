import Foundation

/// Where journal entries live. Separate from `Store` because `JOURNAL_DATABASE_URL` may put the
/// journal in a database of its own. `PostgresJournalStore` and `SQLiteJournalStore` implement it,
/// and the journal contract tests run the same cases against both.
protocol JournalStore: Sendable {
    /// "sqlite", "postgres" or "postgres+timescaledb".
    var engine: String { get }
    func migrate() async throws
    /// Creates partitions ahead and drops expired ones (or deletes expired rows).
    func maintain(now: Date) async throws -> MaintenanceReport
    func ping() async throws
    func close() async
    /// Stores the rows not stored before, in one transaction; returns how many were new, after commit.
    func insert(_ rows: JournalRows) async throws -> Int
    /// Entries matching the query, newest first.
    func entries(_ query: JournalQuery) async throws -> [JournalRecord]
}
