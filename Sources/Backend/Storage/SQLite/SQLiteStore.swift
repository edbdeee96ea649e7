import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Shared

/// The embedded engine: one file in WAL mode. Writes go through `SQLiteWriter` (group commit,
/// fsync before the caller hears back); reads use their own connection and never wait for writes.
final class SQLiteStore: Store {
    let engine = "sqlite"
    let path: String
    let writer: SQLiteWriter
    let checkLimit: CheckLimit
    private let writeConnection: SQLiteConnection
    let readConnection: SQLiteConnection
    private let sampleRetention: TimeSpan
    let logger: Logger

    static func open(path: String, sampleRetention: TimeSpan, checkLimit: CheckLimit = .standard, logger: Logger) async throws -> SQLiteStore {
        let (write, read) = try await SQLiteMigrator.open(path: path, logger: logger)
        return SQLiteStore(path: path, write: write, read: read, sampleRetention: sampleRetention, checkLimit: checkLimit, logger: logger)
    }

    private init(path: String, write: SQLiteConnection, read: SQLiteConnection, sampleRetention: TimeSpan, checkLimit: CheckLimit, logger: Logger) {
        self.checkLimit = checkLimit
        self.path = path
        self.writeConnection = write
        self.readConnection = read
        let writer = SQLiteWriter(connection: write)
        self.writer = writer
        self.sampleRetention = sampleRetention
        self.logger = logger
    }

    /// One batch at a time: the writer serialises them anyway, and reports arriving meanwhile
    /// make the next batch bigger.
    var ingestBatching: IngestBatching { IngestBatching(maxRunning: 1, maxBatch: 256) }

    func migrate() async throws {
        let logger = self.logger
        try await writer.write { db in
            try await SQLiteMigrator.apply(SQLiteSchema.migrations, on: db, label: "metrics.sqlite", logger: logger)
            // Only one process uses the file: a claim left from before this start is a dead one's.
            _ = try await db.query("UPDATE notifications SET claimed_until = NULL WHERE claimed_until IS NOT NULL AND delivered_at IS NULL")
        }
    }

    func maintain(_ cutoffs: RetentionCutoffs) async throws -> MaintenanceReport {
        var total = try await writer.deleteInSlices(
            "DELETE FROM report_samples WHERE (host_id, at) IN (SELECT host_id, at FROM report_samples WHERE at < ? LIMIT 50000) RETURNING 1",
            [.time(cutoffs.samples)], slice: 50000)
        let deletions: [(String, Date)] = [
            ("DELETE FROM ingested_reports WHERE received_at < ? RETURNING 1", cutoffs.reportKeys),
            ("DELETE FROM pings WHERE at < ? RETURNING 1", cutoffs.history),
            ("DELETE FROM notifications WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < ? RETURNING 1", cutoffs.history),
            ("DELETE FROM sessions WHERE expires_at < ? RETURNING 1", cutoffs.now),
            ("DELETE FROM login_records WHERE updated_at < ? RETURNING 1", cutoffs.loginRecords),
        ]
        total += try await writer.write { db in
            var rows = 0
            for (sql, cutoff) in deletions { rows += try await db.query(sql, [.time(cutoff)]).count }
            return rows
        }
        return MaintenanceReport(rowsDeleted: total)
    }

    func ping() async throws {
        _ = try await readConnection.query("SELECT 1")
    }

    func close() async {
        try? await readConnection.close()
        try? await writeConnection.close()
    }

    func ingest<T: Sendable>(
        _ batch: [PendingReport], evaluate: @escaping @Sendable ([WrittenCheck], any AlertTransaction) async throws -> T
    ) async throws -> (outcomes: [IngestOutcome], evaluated: T) {
        let (sampleRetention, checkLimit) = (self.sampleRetention, self.checkLimit)
        return try await writer.write { db in
            let (outcomes, checks) = try await SQLiteIngest.apply(batch, sampleCutoff: { $0.addingTimeInterval(-Double(sampleRetention.seconds)) }, on: db)
            try await Self.enforce(checkLimit, hosts: CheckLimit.grownHosts(checks), on: db)
            let evaluated = try await evaluate(checks, SQLiteAlertTransaction(db: db))
            for (pending, outcome) in zip(batch, outcomes) where outcome != .duplicate {
                if let ping = pending.rows.ping { try await Self.insert(ping, on: db) }
            }
            return (outcomes, evaluated)
        }
    }

    func hosts() async throws -> [HostRecord] {
        let rows = try await readConnection.query("""
            SELECT h.name, h.boot_id, h.sender, h.first_seen, h.last_report_at, h.clock_offset, h.tags,
                   (SELECT count(*) FROM checks c WHERE c.host_id = h.id) AS checks
            FROM hosts h ORDER BY h.name
            """)
        return rows.map { row in
            HostRecord(
                name: row.column("name")?.string ?? "", bootId: row.column("boot_id")?.string, sender: row.column("sender")?.string,
                firstSeen: row.date("first_seen"), lastReportAt: row.date("last_report_at"), checks: row.column("checks")?.integer ?? 0,
                clockOffset: row.column("clock_offset").flatMap { $0.isNull ? nil : $0.double }, tags: HostTagList.split(row.column("tags")?.string))
        }
    }

    func tags(hosts: [String]) async throws -> [String: [String]] {
        let rows = try await readConnection.query(
            "SELECT name, tags FROM hosts WHERE name IN (SELECT value FROM json_each(?))", [.text(ReportSampleRows.array(hosts.map(DetailsJSON.quoted)))])
        var tags: [String: [String]] = [:]
        for row in rows { if let name = row.column("name")?.string { tags[name] = HostTagList.split(row.column("tags")?.string) } }
        return tags
    }

    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord] {
        var sql = "SELECT h.name AS host, c.* FROM checks c JOIN hosts h ON h.id = c.host_id WHERE 1 = 1"
        var binds: [SQLiteData] = []
        if let host { sql += " AND h.name = ?"; binds.append(.text(host)) }
        if let state { sql += " AND c.state = ?"; binds.append(.text(state.rawValue)) }
        sql += " ORDER BY h.name, c.name"
        return try await readConnection.query(sql, binds).map(CheckRecord.init(sqlite:))
    }

    func samples(host: String, name: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]? {
        let found = try await readConnection.query(
            "SELECT c.id, c.host_id FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = ? AND c.name = ?", [.text(host), .text(name)])
        guard let id = found.first?.column("id")?.integer, let hostID = found.first?.column("host_id")?.integer else { return nil }
        return try await ReportSampleRows.read(checkID: Int64(id), hostID: hostID, from: from, to: to, limit: limit, on: readConnection)
    }

    func samples(host: String, names: [String], from: Date, to: Date) async throws -> [String: [SampleRecord]] {
        let found = try await readConnection.query(
            "SELECT c.id, c.name, c.host_id FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = ? AND c.name IN (SELECT value FROM json_each(?))",
            [.text(host), .text(ReportSampleRows.array(names.map(DetailsJSON.quoted)))])
        guard let hostID = found.first?.column("host_id")?.integer else { return [:] }
        var nameOf: [Int64: String] = [:]
        for row in found { nameOf[Int64(row.column("id")?.integer ?? 0)] = row.column("name")?.string }
        let byID = try await ReportSampleRows.read(checkIDs: Array(nameOf.keys), hostID: hostID, from: from, to: to, limit: .max, on: readConnection)
        return Dictionary(byID.compactMap { id, samples in nameOf[id].map { ($0, samples) } }, uniquingKeysWith: { first, _ in first })
    }

    func deleteCheck(host: String, name: String) async throws -> Bool {
        try await writer.write { db in
            let found = try await db.query(
                "SELECT c.id FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = ? AND c.name = ?", [.text(host), .text(name)])
            guard let id = found.first?.column("id")?.integer else { return false }
            // Its samples stay in their report rows until they expire, unread: a check that gets
            // this id later reads only what comes after now.
            _ = try await db.query(
                "INSERT INTO retired_checks (id, retired_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET retired_at = excluded.retired_at",
                [.integer(id), .integer(Int(Date().microseconds))])
            _ = try await db.query("DELETE FROM checks WHERE id = ?", [.integer(id)])
            return true
        }
    }

    func createToken(_ token: NewToken) async throws -> TokenRecord {
        try await writer.write { db in
            let rows = try await db.query(
                "INSERT INTO api_tokens (token_hash, prefix, host, label, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                [.text(token.hash), .text(token.prefix), token.host.map(SQLiteData.text) ?? .null,
                 token.label.map(SQLiteData.text) ?? .null, .integer(Int(token.createdAt.microseconds))])
            let id = Int64(rows.first?.column("id")?.integer ?? 0)
            return TokenRecord(id: id, prefix: token.prefix, host: token.host, label: token.label, createdAt: token.createdAt, revokedAt: nil)
        }
    }

    func tokens() async throws -> [TokenRecord] {
        try await readConnection.query("SELECT * FROM api_tokens ORDER BY id").map(TokenRecord.init(sqlite:))
    }

    func revokeToken(id: Int64, at: Date) async throws -> Bool {
        try await writer.write { db in
            let rows = try await db.query(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id",
                [.integer(Int(at.microseconds)), .integer(Int(id))])
            return !rows.isEmpty
        }
    }

    func token(hash: String) async throws -> TokenRecord? {
        try await readConnection.query("SELECT * FROM api_tokens WHERE token_hash = ?", [.text(hash)]).first.map(TokenRecord.init(sqlite:))
    }
}

extension SQLiteStore {
    /// Rolls the write back when a host has more checks than the limit allows.
    static func enforce(_ limit: CheckLimit, hosts: [String], on db: SQLiteConnection) async throws {
        guard !hosts.isEmpty else { return }
        let rows = try await db.query("""
            SELECT h.name, count(*) AS n FROM checks c JOIN hosts h ON h.id = c.host_id
            WHERE h.name IN (SELECT value FROM json_each(?)) AND c.name <> ? GROUP BY h.name
            """, [.text("[" + hosts.map(DetailsJSON.quoted).joined(separator: ",") + "]"), .text(reservedHostCheckName)])
        try limit.enforce(rows.map { ($0.column("name")?.string ?? "", $0.column("n")?.integer ?? 0) })
    }
}
