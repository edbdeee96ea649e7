import Foundation
import PostgresNIO
import SQLiteNIO
import Shared
import Testing
@testable import Backend

/// Samples stored one row per check, before the migration that regroups them one row per
/// report, read back the same after it; new reports add to them.
@Suite struct SampleMigrationTests {
    @Test(arguments: Engine.available)
    func samplesStoredBeforeTheRegroupingReadTheSameAfterIt(_ engine: Engine) async throws {
        let (config, cleanup) = try await TestStores.config(engine)
        let times = (1...3).map { Reports.now(offset: Double(-600 + $0 * 60)) }
        do {
            try await Self.check(times: times, config: config)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    private static func check(times: [Date], config: BackendConfig) async throws {
        try await withStore(config, logger: TestStores.logger) { store in
            try await storeTheOldWay(times: times, in: store)
            try await store.migrate()

            let memory = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 100)
            // PostgreSQL keeps microseconds, cutting rather than rounding.
            #expect(memory?.count == times.count)
            #expect(zip(memory ?? [], times).allSatisfy { abs($0.at.timeIntervalSince($1)) < 0.000002 })
            #expect(memory?.map(\.value) == [41, 42, 43])
            let disk = try await store.samples(host: "web-1", name: "disk:/", from: times[1], to: .distantFuture, limit: 100)
            #expect(disk?.map(\.value) == [72, 73])
            let firstOnly = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 1)
            #expect(firstOnly?.map(\.value) == [41])

            let domain = Domain(store: store, config: config, logger: TestStores.logger)
            #expect(try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(), memory: 44), receivedAt: Date()) == .stored(samples: 2))
            let after = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 100)
            #expect(after?.map(\.value) == [41, 42, 43, 44])
        }
    }

    /// The schema before the regrouping, and a host with two checks and three samples each.
    private static func storeTheOldWay(times: [Date], in store: any Store) async throws {
        if let sqlite = store as? SQLiteStore {
            let before = Array(SQLiteSchema.migrations.prefix(3))
            try await sqlite.writer.write { db in
                try await SQLiteMigrator.apply(before, on: db, label: "test", logger: TestStores.logger)
                let now = Int(Date().microseconds)
                _ = try await db.query("INSERT INTO hosts (id, name, first_seen, last_report_at, last_sent_at) VALUES (1, 'web-1', ?, ?, ?)",
                                       [.integer(now), .integer(now), .integer(now)])
                for (id, name, kind) in [(1, "memory", "memory"), (2, "disk:/", "disk")] {
                    _ = try await db.query("""
                        INSERT INTO checks (id, host_id, name, kind, since, last_seen, observed_at) VALUES (?, 1, ?, ?, ?, ?, ?)
                        """, [.integer(id), .text(name), .text(kind), .integer(now), .integer(now), .integer(now)])
                }
                for (offset, at) in times.enumerated() {
                    for (id, base) in [(1, 40.0), (2, 70.0)] {
                        _ = try await db.query("INSERT INTO samples (check_id, at, value) VALUES (?, ?, ?)",
                                               [.integer(id), .integer(Int(at.microseconds)), .float(base + Double(offset + 1))])
                    }
                }
            }
        } else if let postgres = store as? PostgresStore {
            // Migrations 1 to 4: the samples one row per check.
            let before = Array(PostgresSchema.migrations(samples: postgres.legacySamples, reportSamples: postgres.samples).prefix(4))
            let migrator = PostgresMigrator(client: postgres.client, lockKey: 42, versionTable: "schema_migrations", logger: TestStores.logger)
            try await migrator.migrate(before) { connection in
                _ = try await postgres.legacySamples.prepare(on: connection, logger: TestStores.logger)
                let now = Date()
                try await connection.query("INSERT INTO hosts (id, name, first_seen, last_report_at, last_sent_at) VALUES (1, 'web-1', \(now), \(now), \(now))", logger: TestStores.logger)
                try await connection.query("""
                    INSERT INTO checks (id, host_id, name, kind, since, last_seen, observed_at)
                    VALUES (1, 1, 'memory', 'memory', \(now), \(now), \(now)), (2, 1, 'disk:/', 'disk', \(now), \(now), \(now))
                    """, logger: TestStores.logger)
                try await connection.query("SELECT setval('hosts_id_seq', 1), setval('checks_id_seq', 2)", logger: TestStores.logger)
                for (offset, at) in times.enumerated() {
                    let (memory, disk) = (40.0 + Double(offset + 1), 70.0 + Double(offset + 1))
                    try await connection.query("INSERT INTO samples (check_id, at, value) VALUES (1, \(at), \(memory)), (2, \(at), \(disk))", logger: TestStores.logger)
                }
            }
        } else {
            Issue.record("an engine this test does not know")
        }
    }
}
