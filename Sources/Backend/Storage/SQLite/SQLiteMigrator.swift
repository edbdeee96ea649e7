import Foundation
import Logging
import SQLiteNIO

/// Applies the versioned migrations of one SQLite file inside the writer's transaction.
enum SQLiteMigrator {
    static func apply(_ migrations: [[String]], on db: SQLiteConnection, label: String, logger: Logger) async throws {
        let known = migrations.count
        _ = try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
        let applied = try await db.query("SELECT coalesce(max(version), 0) AS v FROM schema_migrations").first?.column("v")?.integer ?? 0
        guard applied <= known else { throw StoreError.schemaTooNew(applied: applied, known: known) }
        for version in (applied + 1)..<(known + 1) {
            for statement in migrations[version - 1] { _ = try await db.query(statement) }
            _ = try await db.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [.integer(version), .integer(Int(Date().microseconds))])
            logger.info("applied migration", metadata: ["engine": "sqlite", "file": "\(label)", "version": "\(version)"])
        }
    }

    /// Opens a file for writing (WAL, full fsync) and a second connection for reads.
    static func open(path: String, logger: Logger) async throws -> (write: SQLiteConnection, read: SQLiteConnection) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let write = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        // A 64 MiB page cache: every report updates a row per check, spread over many pages.
        for pragma in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000",
            "PRAGMA cache_size = -65536",
        ] {
            _ = try await write.query(pragma)
        }
        let read = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        for pragma in ["PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000", "PRAGMA query_only = ON"] {
            _ = try await read.query(pragma)
        }
        return (write, read)
    }
}
