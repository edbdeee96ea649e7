import Foundation
import Logging
import PostgresNIO

/// Applies versioned migrations under an advisory lock, so several backends starting at once
/// migrate once. Each store has its own version table and lock: the journal may live in a
/// database of its own (`JOURNAL_DATABASE_URL`) or beside the rest.
struct PostgresMigrator {
    var client: PostgresClient
    var lockKey: Int64
    var versionTable: String
    var logger: Logger

    /// What the database offers, learnt before migrating.
    struct Extensions: Sendable {
        var timescale = false
        var trigram = false
    }

    /// Runs `body` on one connection holding the lock, after the migrations not yet applied.
    func migrate<T>(_ migrations: [[PostgresSchema.Step]], then body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_lock(\(lockKey))"), logger: logger)
            do {
                try await apply(migrations, on: connection)
                let result = try await body(connection)
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock(\(lockKey))"), logger: logger)
                return result
            } catch {
                _ = try? await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock(\(lockKey))"), logger: logger)
                throw error
            }
        }
    }

    private func apply(_ migrations: [[PostgresSchema.Step]], on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(versionTable) (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """), logger: logger)
        var applied = 0
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT coalesce(max(version), 0) FROM \(versionTable)"), logger: logger)
        for try await version in rows.decode(Int.self) { applied = version }
        guard applied <= migrations.count else { throw StoreError.schemaTooNew(applied: applied, known: migrations.count) }
        guard applied < migrations.count else { return }
        let extensions = try await enableExtensions(on: connection)
        for version in (applied + 1)...migrations.count {
            try await connection.withTransaction(logger: logger) { tx in
                for step in migrations[version - 1] {
                    switch step {
                    case .sql(let sql):
                        try await tx.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                    case .timePartitioned(let table):
                        try await table.create(mode: extensions.timescale ? .timescale : .native, on: tx, logger: logger)
                    case .withTrigram(let sql):
                        if extensions.trigram { try await tx.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                    case .run(let work):
                        try await work(tx, logger)
                    }
                }
                try await tx.query(PostgresQuery(unsafeSQL: "INSERT INTO \(versionTable) (version) VALUES (\(version))"), logger: logger)
            }
            logger.info("applied migration", metadata: ["table": "\(versionTable)", "version": "\(version)"])
        }
    }

    /// TimescaleDB and pg_trgm when installed and allowed; a missing one only changes the layout.
    /// Each attempt runs on a connection of its own: a failed CREATE EXTENSION can be FATAL and
    /// end its session, which must not be the one holding the migration lock.
    private func enableExtensions(on connection: PostgresConnection) async throws -> Extensions {
        var available = Set<String>()
        let rows = try await connection.query(
            "SELECT name FROM pg_available_extensions WHERE name IN ('timescaledb', 'pg_trgm')", logger: logger)
        for try await name in rows.decode(String.self) { available.insert(name) }
        var preloaded = ""
        for try await setting in try await connection.query("SELECT current_setting('shared_preload_libraries')", logger: logger).decode(String.self) {
            preloaded = setting
        }
        var extensions = Extensions()
        // TimescaleDB's package installs the library, but it works only when the server preloads it.
        if available.contains("timescaledb") && preloaded.contains("timescaledb") {
            extensions.timescale = await create("timescaledb")
        } else if available.contains("timescaledb") {
            logger.notice("timescaledb is installed but not in shared_preload_libraries; using native partitions")
        }
        if available.contains("pg_trgm") { extensions.trigram = await create("pg_trgm") }
        return extensions
    }

    private func create(_ name: String) async -> Bool {
        do {
            try await client.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE EXTENSION IF NOT EXISTS \(name)"), logger: logger)
            }
            return true
        } catch {
            logger.warning("extension available but not enabled", metadata: ["extension": "\(name)", "error": "\(LoggedError.text(error))"])
            return false
        }
    }

    /// How an existing table was created: a hypertable stays one, whatever is installed now.
    static func mode(of table: String, on connection: PostgresConnection, logger: Logger) async throws -> TimePartitionedTable.Mode {
        var hasExtension = false
        for try await _ in try await connection.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'", logger: logger) {
            hasExtension = true
        }
        guard hasExtension else { return .native }
        for try await _ in try await connection.query(
            "SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = \(table)", logger: logger) {
            return .timescale
        }
        return .native
    }
}

/// Which partitioning a time-partitioned table uses, learnt at migration.
final class ModeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: TimePartitionedTable.Mode = .native
    var mode: TimePartitionedTable.Mode {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

extension TimePartitionedTable {
    /// After migrating: learn the table's mode, keep TimescaleDB's policies in line with the
    /// settings, or create the native partitions so the table takes rows at once.
    func prepare(on connection: PostgresConnection, logger: Logger) async throws -> Mode {
        let mode = try await PostgresMigrator.mode(of: name, on: connection, logger: logger)
        if mode == .timescale {
            try await applyPolicies(on: connection, logger: logger)
        } else {
            _ = try await maintain(now: Date(), on: connection, logger: logger)
        }
        return mode
    }

    /// One maintenance pass for either mode.
    func maintain(mode: Mode, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> MaintenanceReport {
        switch mode {
        case .native:
            let (created, dropped) = try await maintain(now: now, on: connection, logger: logger)
            return MaintenanceReport(partitionsCreated: created, partitionsDropped: dropped)
        case .timescale:
            return MaintenanceReport(partitionsDropped: try await dropExpiredChunks(now: now, on: connection, logger: logger))
        }
    }
}
