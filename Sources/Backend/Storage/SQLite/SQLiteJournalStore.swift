import Foundation
import Logging
import SQLiteNIO
import Shared

/// Journal entries on the embedded engine: `journal.sqlite` beside `metrics.sqlite`, with a
/// writer of its own, so a large batch of log lines never delays a report's commit.
final class SQLiteJournalStore: JournalStore {
    let engine = "sqlite"
    private let writer: SQLiteWriter
    private let writeConnection: SQLiteConnection
    private let readConnection: SQLiteConnection
    private let retention: TimeSpan
    private let logger: Logger

    /// Rows per INSERT: 15 columns each stays well below SQLite's limit of bound parameters.
    private static let rowsPerStatement = 1000

    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE journal_entries (
                id INTEGER PRIMARY KEY, host TEXT NOT NULL, at INTEGER NOT NULL, boot_id TEXT NOT NULL,
                seqnum INTEGER NOT NULL, cursor TEXT NOT NULL, unit TEXT, identifier TEXT, container_name TEXT,
                container_id TEXT, pid INTEGER, priority INTEGER, transport TEXT, message TEXT NOT NULL,
                message_base64 TEXT, fields TEXT,
                UNIQUE (host, at, boot_id, seqnum))
            """,
            "CREATE INDEX journal_entries_at ON journal_entries (at)",
            "CREATE INDEX journal_entries_unit ON journal_entries (unit, at) WHERE unit IS NOT NULL",
            "CREATE INDEX journal_entries_identifier ON journal_entries (identifier, at) WHERE identifier IS NOT NULL",
            "CREATE INDEX journal_entries_container ON journal_entries (container_name, at) WHERE container_name IS NOT NULL",
            "CREATE INDEX journal_entries_priority ON journal_entries (priority, at)",
        ],
    ]

    static func open(path: String, retention: TimeSpan, logger: Logger) async throws -> SQLiteJournalStore {
        let (write, read) = try await SQLiteMigrator.open(path: path, logger: logger)
        return SQLiteJournalStore(write: write, read: read, retention: retention, logger: logger)
    }

    private init(write: SQLiteConnection, read: SQLiteConnection, retention: TimeSpan, logger: Logger) {
        writeConnection = write
        readConnection = read
        writer = SQLiteWriter(connection: write)
        self.retention = retention
        self.logger = logger
    }

    func migrate() async throws {
        let logger = self.logger
        try await writer.write { db in
            try await SQLiteMigrator.apply(Self.migrations, on: db, label: "journal.sqlite", logger: logger)
        }
    }

    func maintain(now: Date) async throws -> MaintenanceReport {
        let cutoff = now.addingTimeInterval(-Double(retention.seconds)).microseconds
        let total = try await writer.deleteInSlices(
            "DELETE FROM journal_entries WHERE id IN (SELECT id FROM journal_entries WHERE at < ? LIMIT 20000) RETURNING 1",
            [.integer(Int(cutoff))], slice: 20000)
        return MaintenanceReport(rowsDeleted: total)
    }

    func ping() async throws {
        _ = try await readConnection.query("SELECT 1")
    }

    func close() async {
        try? await readConnection.close()
        try? await writeConnection.close()
    }

    func insert(_ rows: JournalRows) async throws -> Int {
        guard rows.count > 0 else { return 0 }
        return try await writer.write { db in
            var stored = 0
            var start = 0
            while start < rows.count {
                let end = min(start + Self.rowsPerStatement, rows.count)
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * 15)
                for i in start..<end {
                    binds += [
                        .text(rows.hosts[i]), .integer(Int(rows.times[i])), .text(rows.bootIds[i]), .integer(Int(rows.seqnums[i])),
                        .text(rows.cursors[i]), .optional(rows.units[i]), .optional(rows.identifiers[i]),
                        .optional(rows.containerNames[i]), .optional(rows.containerIds[i]), .optional(rows.pids[i]),
                        .optional(rows.priorities[i]), .optional(rows.transports[i]), .text(rows.messages[i]),
                        .optional(rows.messageBase64[i]), .optional(rows.fields[i]),
                    ]
                }
                let tuples = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: end - start).joined(separator: ", ")
                let inserted = try await db.query("""
                    INSERT INTO journal_entries (host, at, boot_id, seqnum, cursor, unit, identifier, container_name, container_id,
                                                 pid, priority, transport, message, message_base64, fields)
                    VALUES \(tuples) ON CONFLICT DO NOTHING RETURNING 1
                    """, binds)
                stored += inserted.count
                start = end
            }
            return stored
        }
    }

    func entries(_ query: JournalQuery) async throws -> [JournalRecord] {
        var sql = "SELECT * FROM journal_entries WHERE 1 = 1"
        var binds: [SQLiteData] = []
        if let host = query.host { sql += " AND host = ?"; binds.append(.text(host)) }
        if let unit = query.unit { sql += " AND unit = ?"; binds.append(.text(unit)) }
        if let container = query.container { sql += " AND container_name = ?"; binds.append(.text(container)) }
        if let identifier = query.identifier { sql += " AND identifier = ?"; binds.append(.text(identifier)) }
        if let priority = query.maxPriority { sql += " AND priority <= ?"; binds.append(.integer(priority)) }
        // LIKE ignores case for ASCII letters only; SQLite has no Unicode case folding built in.
        if let text = query.text { sql += " AND message LIKE ? ESCAPE '\\'"; binds.append(.text(LikePattern.contains(text))) }
        if let from = query.from { sql += " AND at >= ?"; binds.append(.integer(Int(from.microseconds))) }
        if let to = query.to { sql += " AND at <= ?"; binds.append(.integer(Int(to.microseconds))) }
        var ascending = false
        switch query.page {
        case .before(let position)?:
            sql += " AND (at < ? OR (at = ? AND id < ?))"
            binds += [.integer(Int(position.realtimeUsec)), .integer(Int(position.realtimeUsec)), .integer(Int(position.id))]
        case .after(let position)?:
            sql += " AND (at > ? OR (at = ? AND id > ?))"
            binds += [.integer(Int(position.realtimeUsec)), .integer(Int(position.realtimeUsec)), .integer(Int(position.id))]
            ascending = true
        case nil: break
        }
        sql += ascending ? " ORDER BY at, id LIMIT ?" : " ORDER BY at DESC, id DESC LIMIT ?"
        binds.append(.integer(query.limit))
        let records = try await readConnection.query(sql, binds).map(JournalRecord.init(sqlite:))
        return ascending ? records.reversed() : records
    }
}

extension JournalRecord {
    init(sqlite row: SQLiteRow) {
        let micros = Int64(row.column("at")?.integer ?? 0)
        self.init(
            id: Int64(row.column("id")?.integer ?? 0), host: row.column("host")?.string ?? "", at: Date(microseconds: micros),
            realtimeUsec: micros, bootId: row.column("boot_id")?.string ?? "", seqnum: Int64(row.column("seqnum")?.integer ?? 0),
            cursor: row.column("cursor")?.string ?? "", unit: row.column("unit")?.string, identifier: row.column("identifier")?.string,
            containerName: row.column("container_name")?.string, containerId: row.column("container_id")?.string,
            pid: row.column("pid")?.integer, priority: row.column("priority")?.integer, transport: row.column("transport")?.string,
            message: row.column("message")?.string ?? "", messageBase64: row.column("message_base64")?.string,
            fields: row.column("fields")?.string.flatMap(JSONValue.decodeObject))
    }
}
