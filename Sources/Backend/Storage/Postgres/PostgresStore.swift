import Foundation
import Logging
import PostgresNIO
import Shared

/// The production engine on PostgreSQL, through PostgresNIO's connection pool. `client` must be
/// running (`client.run()`, a ServiceLifecycle service) before any call.
final class PostgresStore: Store {
    let client: PostgresClient
    /// Samples as migration 2 made them, one row per check: migration 5 regroups them.
    let legacySamples: TimePartitionedTable
    /// Samples, one row per report.
    let samples: TimePartitionedTable
    let checkLimit: CheckLimit
    let logger: Logger
    private let modeBox = ModeBox()

    var engine: String { modeBox.mode == .timescale ? "postgres+timescaledb" : "postgres" }

    /// A connection pool for a database URL; it must run as a service before use.
    static func makeClient(url: DatabaseURL, poolSize: Int, logger: Logger) -> PostgresClient {
        var configuration: PostgresClient.Configuration
        if let socket = url.socketDirectory {
            configuration = .init(unixSocketPath: "\(socket)/.s.PGSQL.\(url.port)", username: url.username, password: url.password, database: url.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch url.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: tls)
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 1
        configuration.options.connectTimeout = .seconds(5)
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Guards `pg_advisory_lock` for migrations: the same number in every backend.
    private static let migrationLock: Int64 = 0x6D65_7472_6963_73  // "metrics"

    init(client: PostgresClient, sampleRetention: TimeSpan, checkLimit: CheckLimit = .standard, logger: Logger) {
        self.checkLimit = checkLimit
        self.client = client
        legacySamples = TimePartitionedTable(
            name: "samples",
            columns: "check_id bigint NOT NULL, at timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (check_id, at)",
            timeColumn: "at", segmentBy: "check_id", retention: sampleRetention)
        samples = TimePartitionedTable(
            name: "report_samples",
            columns: """
                host_id bigint NOT NULL, at timestamptz NOT NULL, check_ids bigint[] NOT NULL,
                check_values double precision[] NOT NULL, PRIMARY KEY (host_id, at)
                """,
            timeColumn: "at", segmentBy: "host_id", retention: sampleRetention)
        self.logger = logger
    }

    /// Two batches at once: one's round trips overlap the other's work in the database.
    var ingestBatching: IngestBatching { IngestBatching(maxRunning: 2, maxBatch: 128, overlapAt: 12) }

    func ingest<T: Sendable>(
        _ batch: [PendingReport], evaluate: @escaping @Sendable ([WrittenCheck], any AlertTransaction) async throws -> T
    ) async throws -> (outcomes: [IngestOutcome], evaluated: T) {
        let samples = self.samples
        return try await PostgresIngestBatch.store(batch, client: client, checkLimit: checkLimit, logger: logger,
                                                   sampleCutoff: { samples.insertCutoff(now: $0) }, evaluate: evaluate)
    }

    func migrate() async throws {
        let migrator = PostgresMigrator(client: client, lockKey: Self.migrationLock, versionTable: "schema_migrations", logger: logger)
        let samples = self.samples
        let logger = self.logger
        modeBox.mode = try await migrator.migrate(PostgresSchema.migrations(samples: legacySamples, reportSamples: samples)) { connection in
            try await samples.prepare(on: connection, logger: logger)
        }
    }

    func maintain(_ cutoffs: RetentionCutoffs) async throws -> MaintenanceReport {
        let logger = self.logger
        let mode = modeBox.mode
        let samples = self.samples
        return try await client.withConnection { connection in
            // Samples go by partition (or chunk), at the retention they were created with.
            let report = try await samples.maintain(mode: mode, now: cutoffs.now, on: connection, logger: logger)
            try await connection.query("DELETE FROM ingested_reports WHERE received_at < \(cutoffs.reportKeys)", logger: logger)
            try await connection.query("DELETE FROM pings WHERE at < \(cutoffs.history)", logger: logger)
            try await connection.query(
                "DELETE FROM notifications WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < \(cutoffs.history)", logger: logger)
            try await connection.query("DELETE FROM sessions WHERE expires_at < \(cutoffs.now)", logger: logger)
            try await connection.query("DELETE FROM login_records WHERE updated_at < \(cutoffs.loginRecords)", logger: logger)
            return report
        }
    }

    func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    func close() async {}

    func hosts() async throws -> [HostRecord] {
        // The checks counted in one pass, not by a subquery per host: that subquery's cost is
        // multiplied by the estimated hosts, and on tables without statistics yet (a first start,
        // many new hosts) the estimate put it past jit_above_cost, and each call spent 100 ms and
        // more compiling JIT code for a query of a few milliseconds; with statistics it did so
        // from about 4,000 hosts on.
        let rows = try await client.query("""
            SELECT h.name, h.boot_id, h.sender, h.first_seen, greatest(h.last_report_at, l.last_seen),
                   coalesce(n.checks, 0)::bigint, l.clock_offset, h.tags
            FROM hosts h LEFT JOIN host_latest l ON l.host_id = h.id
            LEFT JOIN (SELECT host_id, count(*) AS checks FROM checks GROUP BY host_id) n ON n.host_id = h.id
            ORDER BY h.name
            """, logger: logger)
        var hosts: [HostRecord] = []
        for try await (name, bootId, sender, firstSeen, last, checks, offset, tags) in rows.decode(
            (String, String?, String?, Date, Date, Int64, Double?, String?).self)
        {
            hosts.append(HostRecord(
                name: name, bootId: bootId, sender: sender, firstSeen: firstSeen, lastReportAt: last, checks: Int(checks), clockOffset: offset,
                tags: HostTagList.split(tags)))
        }
        return hosts
    }

    func tags(hosts: [String]) async throws -> [String: [String]] {
        let rows = try await client.query("SELECT name, tags FROM hosts WHERE name = ANY(\(hosts))", logger: logger)
        var tags: [String: [String]] = [:]
        for try await (name, stored) in rows.decode((String, String?).self) { tags[name] = HostTagList.split(stored) }
        return tags
    }

    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord] {
        let rows = try await client.query("""
            SELECT \(unescaped: LatestColumns.record) FROM checks c \(unescaped: LatestColumns.joins)
            WHERE (\(host)::text IS NULL OR h.name = \(host)) AND (\(state?.rawValue)::text IS NULL OR c.state = \(state?.rawValue))
            ORDER BY h.name, c.name
            """, logger: logger)
        var checks: [CheckRecord] = []
        for try await row in rows {
            checks.append(try CheckRecord(postgres: row.makeRandomAccess()))
        }
        return checks
    }

    func samples(host: String, name: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]? {
        guard let id = try await checkID(host: host, name: name) else { return nil }
        let rows = try await client.query("""
            SELECT r.at, r.check_values[p.at] FROM report_samples r, array_position(r.check_ids, \(id)) AS p (at)
            WHERE r.host_id = (SELECT host_id FROM checks WHERE id = \(id)) AND r.at >= \(from) AND r.at <= \(to) AND p.at IS NOT NULL
            ORDER BY r.at LIMIT \(limit)
            """, logger: logger)
        var samples: [SampleRecord] = []
        for try await (at, value) in rows.decode((Date, Double).self) { samples.append(SampleRecord(at: at, value: value)) }
        return samples
    }

    func samples(host: String, names: [String], from: Date, to: Date) async throws -> [String: [SampleRecord]] {
        var nameOf: [Int64: String] = [:]
        var hostID: Int64?
        let found = try await client.query(
            "SELECT c.id, c.name, c.host_id FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = \(host) AND c.name = ANY(\(names))",
            logger: logger)
        for try await (id, name, host) in found.decode((Int64, String, Int64).self) {
            nameOf[id] = name
            hostID = host
        }
        guard let hostID else { return [:] }
        // Whole report rows, picked apart here: one pass over the host's rows serves every chart.
        let rows = try await client.query("""
            SELECT at, check_ids, check_values FROM report_samples WHERE host_id = \(hostID) AND at >= \(from) AND at <= \(to) ORDER BY at
            """, logger: logger)
        var samples: [String: [SampleRecord]] = [:]
        for try await (at, ids, values) in rows.decode((Date, [Int64], [Double]).self) {
            for (id, value) in zip(ids, values) {
                if let name = nameOf[id] { samples[name, default: []].append(SampleRecord(at: at, value: value)) }
            }
        }
        return samples
    }

    private func checkID(host: String, name: String) async throws -> Int64? {
        let rows = try await client.query(
            "SELECT c.id FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = \(host) AND c.name = \(name)", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    func deleteCheck(host: String, name: String) async throws -> Bool {
        // Its samples stay in their report rows until they expire, unread: ids are never reused.
        let rows = try await client.query("""
            DELETE FROM checks c USING hosts h WHERE h.id = c.host_id AND h.name = \(host) AND c.name = \(name) RETURNING c.id
            """, logger: logger)
        var deleted = false
        for try await _ in rows.decode(Int64.self) { deleted = true }
        return deleted
    }

    func createToken(_ token: NewToken) async throws -> TokenRecord {
        let rows = try await client.query("""
            INSERT INTO api_tokens (token_hash, prefix, host, label, created_at)
            VALUES (\(token.hash), \(token.prefix), \(token.host), \(token.label), \(token.createdAt)) RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) {
            return TokenRecord(id: id, prefix: token.prefix, host: token.host, label: token.label, createdAt: token.createdAt, revokedAt: nil)
        }
        throw StoreError.unavailable("the new token's id was not returned")
    }

    func tokens() async throws -> [TokenRecord] {
        let rows = try await client.query("SELECT id, prefix, host, label, created_at, revoked_at FROM api_tokens ORDER BY id", logger: logger)
        var tokens: [TokenRecord] = []
        for try await (id, prefix, host, label, created, revoked) in rows.decode((Int64, String, String?, String?, Date, Date?).self) {
            tokens.append(TokenRecord(id: id, prefix: prefix, host: host, label: label, createdAt: created, revokedAt: revoked))
        }
        return tokens
    }

    func revokeToken(id: Int64, at: Date) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE api_tokens SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func token(hash: String) async throws -> TokenRecord? {
        let rows = try await client.query(
            "SELECT id, prefix, host, label, created_at, revoked_at FROM api_tokens WHERE token_hash = \(hash)", logger: logger)
        for try await (id, prefix, host, label, created, revoked) in rows.decode((Int64, String, String?, String?, Date, Date?).self) {
            return TokenRecord(id: id, prefix: prefix, host: host, label: label, createdAt: created, revokedAt: revoked)
        }
        return nil
    }
}

extension CheckRecord {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            host: try row[0].decode(String.self), name: try row[1].decode(String.self), kind: CheckKind(stored: try row[2].decode(String.self)),
            value: try row[3].decode(Double?.self), unit: try row[4].decode(String?.self), status: try row[5].decode(String?.self),
            error: try row[6].decode(String?.self), details: try row[7].decode(String?.self).flatMap(JSONValue.decodeObject),
            state: CheckState(rawValue: try row[8].decode(String.self)) ?? .ok, since: try row[9].decode(Date.self),
            lastSeen: try row[10].decode(Date.self), observedAt: try row[11].decode(Date.self),
            every: try row[12].decode(Int?.self), grace: try row[13].decode(Int?.self),
            silencedUntil: try row[14].decode(Date?.self), paused: try row[15].decode(Bool.self),
            cron: try row[16].decode(String?.self), timezone: try row[17].decode(String?.self))
    }
}

extension PostgresStore {
    /// Rolls the transaction back when a host has more checks than the limit allows.
    static func enforce(_ limit: CheckLimit, hosts: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !hosts.isEmpty else { return }
        // Two transactions adding checks to one host would each count without the other's rows.
        try await connection.query("SELECT id FROM hosts WHERE name = ANY(\(hosts)) ORDER BY id FOR UPDATE", logger: logger)
        let rows = try await connection.query("""
            SELECT h.name, count(*) FROM checks c JOIN hosts h ON h.id = c.host_id
            WHERE h.name = ANY(\(hosts)) AND c.name <> \(reservedHostCheckName) GROUP BY h.name
            """, logger: logger)
        var counts: [(host: String, checks: Int)] = []
        for try await (host, checks) in rows.decode((String, Int64).self) { counts.append((host, Int(checks))) }
        try limit.enforce(counts)
    }
}

extension PostgresClient {
    /// `withTransaction`, except that a store's refusal thrown inside comes out as itself once
    /// the transaction is rolled back, so callers answer it as they do on SQLite.
    func transaction<T>(logger: Logger, file: String = #file, line: Int = #line, isolation: isolated (any Actor)? = #isolation,
                        _ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await withTransaction(logger: logger, file: file, line: line, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if error.rollbackError == nil, let refusal = error.closureError as? any StoreRefusal { throw refusal }
            throw error
        }
    }
}
