import Foundation
import Logging
import PostgresNIO

/// Heartbeats pinged by URL, on PostgreSQL.
extension PostgresStore {
    func createPingKey(host: String, hash: String, now: Date) async throws {
        try await client.query("INSERT INTO ping_keys (key_hash, host, created_at) VALUES (\(hash), \(host), \(now))", logger: logger)
    }

    func pingKeyHost(hash: String) async throws -> String? {
        let rows = try await client.query("SELECT host FROM ping_keys WHERE key_hash = \(hash)", logger: logger)
        for try await host in rows.decode(String.self) { return host }
        return nil
    }

    func ensureHeartbeat(_ spec: HeartbeatSpec, now: Date) async throws -> (pingID: String, created: Bool) {
        let fresh = UUID().uuidString.lowercased()
        let (checkLimit, logger) = (self.checkLimit, self.logger)
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                WITH h AS (
                    INSERT INTO hosts (name, first_seen, last_report_at, last_sent_at) VALUES (\(spec.host), \(now), \(now), \(now))
                    ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
                )
                INSERT INTO checks (host_id, name, kind, status, since, last_seen, observed_at, every_seconds, grace_seconds, ping_id, slug, cron, timezone)
                SELECT h.id, \(spec.name), 'heartbeat', 'new', \(now), \(now), \(now), \(spec.every), \(spec.grace), \(fresh), \(spec.slug),
                       \(spec.cron), \(spec.timezone) FROM h
                ON CONFLICT (host_id, name) DO UPDATE SET
                    ping_id = coalesce(checks.ping_id, EXCLUDED.ping_id), slug = coalesce(EXCLUDED.slug, checks.slug),
                    every_seconds = coalesce(EXCLUDED.every_seconds, checks.every_seconds),
                    grace_seconds = coalesce(EXCLUDED.grace_seconds, checks.grace_seconds),
                    cron = coalesce(EXCLUDED.cron, checks.cron), timezone = coalesce(EXCLUDED.timezone, checks.timezone)
                WHERE checks.kind = 'heartbeat'
                RETURNING ping_id, xmax = 0
                """, logger: logger)
            var made: (pingID: String, created: Bool)?
            for try await (pingID, created) in rows.decode((String, Bool).self) { made = (pingID, created) }
            if let made {
                if made.created { try await Self.enforce(checkLimit, hosts: [spec.host], on: connection, logger: logger) }
                return made
            }
            // No row: a check of that name exists and is no heartbeat.
            let kinds = try await connection.query("""
                SELECT c.kind FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = \(spec.host) AND c.name = \(spec.name)
                """, logger: logger)
            for try await kind in kinds.decode(String.self) { throw HeartbeatConflict(name: spec.name, kind: kind) }
            throw StoreError.unavailable("the heartbeat check was not returned")
        }
    }

    func heartbeats(pingID: String) async throws -> [PingTarget] {
        try await targets(client.query("""
            SELECT h.name, c.name, \(unescaped: LatestColumns.status), \(unescaped: LatestColumns.lastSeen) FROM checks c \(unescaped: LatestColumns.joins)
            WHERE c.ping_id = \(pingID) AND c.kind = 'heartbeat'
            """, logger: logger))
    }

    func heartbeats(host: String, slug: String) async throws -> [PingTarget] {
        try await targets(client.query("""
            SELECT h.name, c.name, \(unescaped: LatestColumns.status), \(unescaped: LatestColumns.lastSeen) FROM checks c \(unescaped: LatestColumns.joins)
            WHERE h.name = \(host) AND c.slug = \(slug) AND c.kind = 'heartbeat' ORDER BY c.name
            """, logger: logger))
    }

    private func targets(_ rows: PostgresRowSequence) async throws -> [PingTarget] {
        var targets: [PingTarget] = []
        for try await (host, name, status, seen) in rows.decode((String, String, String?, Date).self) {
            targets.append(PingTarget(host: host, name: name, status: status, lastSeen: seen))
        }
        return targets
    }

    func recordPing(_ ping: PingRecord) async throws {
        try await client.transaction(logger: logger) { connection in try await Self.insert(ping, on: connection, logger: logger) }
    }

    /// Stores a ping and drops the check's oldest beyond `PingRecord.keptPerCheck`, so a ping URL
    /// cannot fill the disk.
    static func insert(_ ping: PingRecord, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query("""
            INSERT INTO pings (check_id, at, kind, exit_status, rid, method, body, duration)
            SELECT c.id, \(ping.at), \(ping.kind.rawValue), \(ping.exitStatus), \(ping.rid), \(ping.method), \(ping.body), \(ping.duration)
            FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = \(ping.host) AND c.name = \(ping.check)
            RETURNING check_id
            """, logger: logger)
        var inserted: Int64?
        for try await checkID in rows.decode(Int64.self) { inserted = checkID }
        guard let checkID = inserted else { return }
        try await connection.query("""
            DELETE FROM pings WHERE check_id = \(checkID) AND (at, id) < (
                SELECT at, id FROM pings WHERE check_id = \(checkID) ORDER BY at DESC, id DESC OFFSET \(PingRecord.keptPerCheck - 1) LIMIT 1)
            """, logger: logger)
    }

    func pings(host: String, check: String, limit: Int) async throws -> [PingRecord] {
        let rows = try await client.query("""
            SELECT p.at, p.kind, p.exit_status, p.rid, p.method, p.body, p.duration
            FROM pings p JOIN checks c ON c.id = p.check_id JOIN hosts h ON h.id = c.host_id
            WHERE h.name = \(host) AND c.name = \(check) ORDER BY p.at DESC, p.id DESC LIMIT \(limit)
            """, logger: logger)
        var pings: [PingRecord] = []
        for try await (at, kind, exit, rid, method, body, duration) in rows.decode((Date, String, Int?, String?, String, String?, Double?).self) {
            pings.append(PingRecord(host: host, check: check, at: at, kind: PingRecord.Kind(rawValue: kind) ?? .log, exitStatus: exit,
                                    rid: rid, method: method, body: body, duration: duration))
        }
        return pings
    }
}
