import Foundation
import Logging
import PostgresNIO
import Shared

/// Journal entries on PostgreSQL: a hypertable with TimescaleDB, daily partitions without it.
/// The client may be the main store's or one of its own (`JOURNAL_DATABASE_URL`).
final class PostgresJournalStore: JournalStore {
    let client: PostgresClient
    let table: TimePartitionedTable
    private let logger: Logger
    private let modeBox = ModeBox()

    /// Not the main store's lock: the two may migrate in one database at once.
    private static let migrationLock: Int64 = 0x6A6F_7572_6E61_6C  // "journal"

    var engine: String { modeBox.mode == .timescale ? "postgres+timescaledb" : "postgres" }

    init(client: PostgresClient, retention: TimeSpan, logger: Logger) {
        self.client = client
        self.table = PostgresJournalSchema.table(retention: retention)
        self.logger = logger
    }

    func migrate() async throws {
        let migrator = PostgresMigrator(client: client, lockKey: Self.migrationLock, versionTable: "journal_schema_migrations", logger: logger)
        let table = self.table
        let logger = self.logger
        modeBox.mode = try await migrator.migrate(PostgresJournalSchema.migrations(table: table)) { connection in
            try await table.prepare(on: connection, logger: logger)
        }
    }

    func maintain(now: Date) async throws -> MaintenanceReport {
        let (table, mode, logger) = (self.table, modeBox.mode, self.logger)
        return try await client.withConnection { connection in
            try await table.maintain(mode: mode, now: now, on: connection, logger: logger)
        }
    }

    func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    func close() async {}

    func insert(_ rows: JournalRows) async throws -> Int {
        guard rows.count > 0 else { return 0 }
        for try await count in try await client.execute(PostgresJournalInsert(rows: rows), logger: logger) {
            return Int(count)
        }
        throw StoreError.unavailable("the journal insert returned no row")
    }

    func entries(_ query: JournalQuery) async throws -> [JournalRecord] {
        var sql = """
            SELECT id, host, (EXTRACT(EPOCH FROM at) * 1000000)::bigint, boot_id, seqnum, cursor, unit, identifier,
                   container_name, container_id, pid, priority, transport, message, message_base64, fields::text
            FROM journal_entries WHERE true
            """
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        func time(_ micros: Int64) -> String { "timestamptz 'epoch' + \(bind(micros))::int8 * interval '1 microsecond'" }
        if let host = query.host { sql += " AND host = \(bind(host))" }
        if let unit = query.unit { sql += " AND unit = \(bind(unit))" }
        if let container = query.container { sql += " AND container_name = \(bind(container))" }
        if let identifier = query.identifier { sql += " AND identifier = \(bind(identifier))" }
        if let priority = query.maxPriority { sql += " AND priority <= \(bind(priority))" }
        if let text = query.text, query.host != nil, modeBox.mode == .native {
            // One host's entries are read newest first along the primary key (host, at) and
            // filtered, so a search costs at most that host's entries in the range. The trigram
            // index (which strpos cannot use) would recheck every entry of every host holding the
            // words: 2.9 s for a phrase of two common words over 10 million rows. TimescaleDB
            // reads a host's compressed segment and filters ILIKE vectorised: faster than strpos.
            sql += " AND strpos(lower(message), lower(\(bind(text)))) > 0"
        } else if let text = query.text {
            sql += " AND message ILIKE \(bind(LikePattern.contains(text)))"
        }
        if let from = query.from { sql += " AND at >= \(time(from.microseconds))" }
        if let to = query.to { sql += " AND at <= \(time(to.microseconds))" }
        var ascending = false
        switch query.page {
        case .before(let position)?: sql += " AND (at, id) < (\(time(position.realtimeUsec)), \(bind(position.id)))"
        case .after(let position)?:
            sql += " AND (at, id) > (\(time(position.realtimeUsec)), \(bind(position.id)))"
            ascending = true
        case nil: break
        }
        sql += ascending ? " ORDER BY at, id" : " ORDER BY at DESC, id DESC"
        sql += " LIMIT \(bind(query.limit))"
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var records: [JournalRecord] = []
        for try await row in rows {
            records.append(try JournalRecord(postgres: row.makeRandomAccess()))
        }
        return ascending ? records.reversed() : records
    }
}

extension JournalRecord {
    init(postgres row: PostgresRandomAccessRow) throws {
        let micros = try row[2].decode(Int64.self)
        self.init(
            id: try row[0].decode(Int64.self), host: try row[1].decode(String.self), at: Date(microseconds: micros), realtimeUsec: micros,
            bootId: try row[3].decode(String.self), seqnum: try row[4].decode(Int64.self), cursor: try row[5].decode(String.self),
            unit: try row[6].decode(String?.self), identifier: try row[7].decode(String?.self),
            containerName: try row[8].decode(String?.self), containerId: try row[9].decode(String?.self),
            pid: try row[10].decode(Int?.self), priority: try row[11].decode(Int16?.self).map(Int.init),
            transport: try row[12].decode(String?.self), message: try row[13].decode(String.self),
            messageBase64: try row[14].decode(String?.self), fields: try row[15].decode(String?.self).flatMap(JSONValue.decodeObject))
    }
}
