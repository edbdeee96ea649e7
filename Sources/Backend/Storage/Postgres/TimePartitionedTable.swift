import Foundation
import Logging
import PostgresNIO
import Shared

/// A table of time-stamped rows kept for a retention period: samples now, journal entries next.
/// With TimescaleDB it is a hypertable with 1-day chunks, a retention policy and compression;
/// without it, a table range-partitioned by day whose partitions `maintain` creates ahead and
/// drops when expired.
struct TimePartitionedTable: Sendable {
    enum Mode: String, Sendable { case timescale, native }

    var name: String
    /// Column definitions and the primary key, which must include `timeColumn`.
    var columns: String
    var timeColumn: String
    /// TimescaleDB compression groups rows by this column (a check, a host).
    var segmentBy: String
    var retention: TimeSpan
    /// Compress chunks older than this (TimescaleDB only).
    var compressAfter: TimeSpan = TimeSpan(seconds: 86400)
    /// Native partitions exist this many days into the future, so a late maintenance run never
    /// leaves a row without a partition.
    var daysAhead = 3

    /// Rows older than this are not inserted: their partition may already be gone.
    func insertCutoff(now: Date) -> Date { now.addingTimeInterval(-Double(retention.seconds)) }

    func create(mode: Mode, on connection: PostgresConnection, logger: Logger) async throws {
        switch mode {
        case .native:
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(name) (\(columns)) PARTITION BY RANGE (\(timeColumn))"), logger: logger)
        case .timescale:
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(name) (\(columns))"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL:
                "SELECT create_hypertable('\(name)', by_range('\(timeColumn)', INTERVAL '1 day'), create_default_indexes => false)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                ALTER TABLE \(name) SET (timescaledb.compress, timescaledb.compress_segmentby = '\(segmentBy)',
                                         timescaledb.compress_orderby = '\(timeColumn) DESC')
                """), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL:
                "SELECT add_compression_policy('\(name)', INTERVAL '\(compressAfter.seconds) seconds', if_not_exists => true)"), logger: logger)
        }
    }

    /// TimescaleDB: makes the retention policy match the configured retention, at every start.
    func applyPolicies(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: "SELECT remove_retention_policy('\(name)', if_exists => true)"), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL:
            "SELECT add_retention_policy('\(name)', INTERVAL '\(retention.seconds) seconds')"), logger: logger)
    }

    /// TimescaleDB mode: drops the chunks the retention policy would, now, so that expiry does not
    /// wait for the background job and behaves as in native mode.
    func dropExpiredChunks(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let horizon = Date(timeIntervalSince1970: Double(Self.day(of: insertCutoff(now: now)) - 1) * 86400)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT drop_chunks('\(name)', older_than => $1)::text", binds: {
            var binds = PostgresBindings()
            binds.append(horizon)
            return binds
        }()), logger: logger)
        var dropped: [String] = []
        for try await chunk in rows.decode(String.self) { dropped.append(chunk) }
        return dropped
    }

    /// Native mode: creates the daily partitions from the retention horizon to `daysAhead` and
    /// drops those wholly older than the horizon. Returns what it created and dropped.
    func maintain(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> (created: [String], dropped: [String]) {
        let rows = try await connection.query("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = \(name)::regclass
            """, logger: logger)
        var existing = Set<String>()
        for try await relname in rows.decode(String.self) { existing.insert(relname) }

        let today = Self.day(of: now)
        // One day of slack below the horizon, so a row at exactly the cutoff still has a home.
        let first = Self.day(of: insertCutoff(now: now)) - 1
        var created: [String] = []
        for day in first...(today + daysAhead) {
            let partition = partitionName(day: day)
            guard !existing.contains(partition) else { continue }
            let from = Self.isoDate(day: day), to = Self.isoDate(day: day + 1)
            do {
                try await connection.query(PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(partition) PARTITION OF \(name)
                    FOR VALUES FROM ('\(from) 00:00:00+00') TO ('\(to) 00:00:00+00')
                    """), logger: logger)
                created.append(partition)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P07" {
                continue  // another backend created it first
            }
        }
        var dropped: [String] = []
        for partition in existing.sorted() {
            guard let day = dayOf(partition: partition), day < first else { continue }
            try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(partition)"), logger: logger)
            dropped.append(partition)
        }
        return (created, dropped)
    }

    func partitionName(day: Int) -> String {
        "\(name)_p" + Self.isoDate(day: day).replacingOccurrences(of: "-", with: "")
    }

    func dayOf(partition: String) -> Int? {
        let prefix = "\(name)_p"
        guard partition.hasPrefix(prefix) else { return nil }
        let digits = partition.dropFirst(prefix.count)
        guard digits.count == 8, let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
              let dayOfMonth = Int(digits.suffix(2)) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, dayOfMonth)
        guard let date = Self.utc.date(from: components) else { return nil }
        return Self.day(of: date)
    }

    /// Days since the epoch, in UTC.
    static func day(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 86400).rounded(.down)) }

    static func isoDate(day: Int) -> String {
        let date = Date(timeIntervalSince1970: Double(day) * 86400)
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}
