import Foundation
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing
@testable import Backend

/// The engines every Store contract case runs against. PostgreSQL joins when TEST_DATABASE_URL is
/// set; in CI (CI=true) it must be, and a missing database fails the run instead of skipping.
enum Engine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [Engine] {
        let env = ProcessInfo.processInfo.environment
        return env["TEST_DATABASE_URL"] != nil || env["CI"] == "true" ? [.sqlite, .postgres] : [.sqlite]
    }
}

enum TestStores {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    static func config(_ engine: Engine, retention: TimeSpan = TimeSpan(seconds: 30 * 86400)) async throws -> (BackendConfig, cleanup: @Sendable () async -> Void) {
        var config = BackendConfig.defaults
        config.sampleRetention = retention
        config.databasePoolSize = 4
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString.prefix(8))")
            config.dataDirectory = directory.path
            return (config, { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            guard let base = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else {
                throw TestSetupError("TEST_DATABASE_URL is not set; run the tests through scripts/test, which starts a throwaway PostgreSQL")
            }
            let name = "metrics_test_\(UUID().uuidString.prefix(8).lowercased())"
            try await runAdmin(base, "CREATE DATABASE \(name)")
            config.databaseURL = replacingDatabase(in: base, with: name)
            return (config, { try? await runAdmin(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }
    }

    /// Runs `body` on a migrated store of `engine`, in a database of its own, with the domain services over it.
    static func with(_ engine: Engine, retention: TimeSpan = TimeSpan(seconds: 30 * 86400), alerting: AlertConfig = AlertConfig(),
                     checkLimit: CheckLimit = .standard, _ body: @escaping @Sendable (any Store, Domain) async throws -> Void) async throws {
        var (config, cleanup) = try await config(engine, retention: retention)
        config.alerting = alerting
        config.checkLimit = checkLimit
        let final = config
        do {
            try await withStore(final, logger: logger) { store in
                try await store.migrate()
                try await body(store, Domain(store: store, config: final, logger: logger))
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    /// Runs `body` on a migrated journal store of `engine`, in a database of its own.
    static func withJournal(_ engine: Engine, retention: TimeSpan = TimeSpan(seconds: 7 * 86400), _ body: @escaping @Sendable (any JournalStore) async throws -> Void) async throws {
        var (config, cleanup) = try await config(engine)
        config.journalRetention = retention
        let final = config
        do {
            try await withStores(final, logger: logger) { stores in
                try await stores.migrate()
                try await body(stores.journal)
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    static func replacingDatabase(in url: String, with database: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + database
        return components.string ?? url
    }

    /// CREATE and DROP DATABASE through psql, which cannot run them inside a transaction either.
    static func runAdmin(_ url: String, _ sql: String) async throws {
        let outcome = try await runCommand("/usr/bin/psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard outcome.status == 0 else { throw TestSetupError("psql failed: \(outcome.stderr)") }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reports as a sender would build them.
enum Reports {
    /// `resent`: a report its sender kept and sends late, whose old time the backend keeps.
    static func sample(host: String = "web-1", sentAt: Date = Date(), memory: Double = 37.5, reportId: String? = nil, resent: Bool? = nil) -> Report {
        Report(host: host, bootId: "boot-1", sentAt: sentAt, sender: "metrics-sender/test", reportId: reportId, resent: resent, observations: [
            Observation(name: "memory", kind: .memory, value: memory, unit: "%", details: ["totalBytes": 1000, "availableBytes": 625]),
            Observation(name: "disk:/", kind: .disk, value: 71, unit: "%", details: ["mountPoint": "/", "fsType": "ext4"]),
            Observation(name: "raid:md0", kind: .raid, status: "degraded", details: ["level": "raid1", "disksActive": 1]),
            Observation(name: "backup-db", kind: .heartbeat, status: "ok", every: 86400, grace: 3600),
        ])
    }

    /// A time rounded to the microsecond, as both engines store it.
    static func now(offset: TimeInterval = 0) -> Date {
        Date(microseconds: Date().addingTimeInterval(offset).microseconds)
    }
}
