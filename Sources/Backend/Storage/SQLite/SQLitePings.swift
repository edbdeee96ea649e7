import Foundation
import SQLiteNIO

/// Heartbeats pinged by URL, on SQLite.
extension SQLiteStore {
    func createPingKey(host: String, hash: String, now: Date) async throws {
        _ = try await writer.write { db in
            try await db.query("INSERT INTO ping_keys (key_hash, host, created_at) VALUES (?, ?, ?)", [.text(hash), .text(host), .time(now)]).count
        }
    }

    func pingKeyHost(hash: String) async throws -> String? {
        try await readConnection.query("SELECT host FROM ping_keys WHERE key_hash = ?", [.text(hash)]).first?.column("host")?.string
    }

    func ensureHeartbeat(_ spec: HeartbeatSpec, now: Date) async throws -> (pingID: String, created: Bool) {
        let fresh = UUID().uuidString.lowercased()
        let checkLimit = self.checkLimit
        return try await writer.write { db in
            let host = try await db.query("""
                INSERT INTO hosts (name, first_seen, last_report_at, last_sent_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id
                """, [.text(spec.host), .time(now), .time(now), .time(now)])
            guard let hostID = host.first?.column("id")?.integer else { throw StoreError.unavailable("the host row was not returned") }
            let existed = try await db.query("SELECT 1 FROM checks WHERE host_id = ? AND name = ?", [.integer(hostID), .text(spec.name)])
            let rows = try await db.query("""
                INSERT INTO checks (host_id, name, kind, status, since, last_seen, observed_at, every_seconds, grace_seconds, ping_id, slug, cron, timezone)
                VALUES (?, ?, 'heartbeat', 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (host_id, name) DO UPDATE SET
                    ping_id = coalesce(checks.ping_id, excluded.ping_id), slug = coalesce(excluded.slug, checks.slug),
                    every_seconds = coalesce(excluded.every_seconds, checks.every_seconds),
                    grace_seconds = coalesce(excluded.grace_seconds, checks.grace_seconds),
                    cron = coalesce(excluded.cron, checks.cron), timezone = coalesce(excluded.timezone, checks.timezone)
                WHERE checks.kind = 'heartbeat'
                RETURNING ping_id
                """, [.integer(hostID), .text(spec.name), .time(now), .time(now), .time(now), .optional(spec.every), .optional(spec.grace),
                      .text(fresh), .optional(spec.slug), .optional(spec.cron), .optional(spec.timezone)])
            guard let pingID = rows.first?.column("ping_id")?.string else {
                // No row: a check of that name exists and is no heartbeat.
                let kind = try await db.query("SELECT kind FROM checks WHERE host_id = ? AND name = ?", [.integer(hostID), .text(spec.name)])
                if let kind = kind.first?.column("kind")?.string { throw HeartbeatConflict(name: spec.name, kind: kind) }
                throw StoreError.unavailable("the heartbeat check was not returned")
            }
            if existed.isEmpty { try await Self.enforce(checkLimit, hosts: [spec.host], on: db) }
            return (pingID, existed.isEmpty)
        }
    }

    func heartbeats(pingID: String) async throws -> [PingTarget] {
        try await readConnection.query("""
            SELECT h.name AS host, c.name, c.status, c.last_seen FROM checks c JOIN hosts h ON h.id = c.host_id
            WHERE c.ping_id = ? AND c.kind = 'heartbeat'
            """, [.text(pingID)]).map(Self.target)
    }

    func heartbeats(host: String, slug: String) async throws -> [PingTarget] {
        try await readConnection.query("""
            SELECT h.name AS host, c.name, c.status, c.last_seen FROM checks c JOIN hosts h ON h.id = c.host_id
            WHERE h.name = ? AND c.slug = ? AND c.kind = 'heartbeat' ORDER BY c.name
            """, [.text(host), .text(slug)]).map(Self.target)
    }

    private static func target(_ row: SQLiteRow) -> PingTarget {
        PingTarget(host: row.column("host")?.string ?? "", name: row.column("name")?.string ?? "", status: row.column("status")?.string,
                   lastSeen: row.date("last_seen"))
    }

    func recordPing(_ ping: PingRecord) async throws {
        try await writer.write { db in try await Self.insert(ping, on: db) }
    }

    /// Stores a ping and drops the check's oldest beyond `PingRecord.keptPerCheck`, so a ping URL
    /// cannot fill the disk.
    static func insert(_ ping: PingRecord, on db: SQLiteConnection) async throws {
        let rows = try await db.query("""
            INSERT INTO pings (check_id, at, kind, exit_status, rid, method, body, duration)
            SELECT c.id, ?, ?, ?, ?, ?, ?, ? FROM checks c JOIN hosts h ON h.id = c.host_id WHERE h.name = ? AND c.name = ?
            RETURNING check_id
            """, [.time(ping.at), .text(ping.kind.rawValue), .optional(ping.exitStatus), .optional(ping.rid), .text(ping.method),
                  .optional(ping.body), .optional(ping.duration), .text(ping.host), .text(ping.check)])
        guard let checkID = rows.first?.column("check_id")?.integer else { return }
        _ = try await db.query("""
            DELETE FROM pings WHERE check_id = ? AND (at, id) < (
                SELECT at, id FROM pings WHERE check_id = ? ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?)
            """, [.integer(checkID), .integer(checkID), .integer(PingRecord.keptPerCheck - 1)])
    }

    func pings(host: String, check: String, limit: Int) async throws -> [PingRecord] {
        try await readConnection.query("""
            SELECT p.at, p.kind, p.exit_status, p.rid, p.method, p.body, p.duration
            FROM pings p JOIN checks c ON c.id = p.check_id JOIN hosts h ON h.id = c.host_id
            WHERE h.name = ? AND c.name = ? ORDER BY p.at DESC, p.id DESC LIMIT ?
            """, [.text(host), .text(check), .integer(limit)]).map { row in
            PingRecord(
                host: host, check: check, at: row.date("at"), kind: row.column("kind")?.string.flatMap(PingRecord.Kind.init(rawValue:)) ?? .log,
                exitStatus: row.column("exit_status")?.integer, rid: row.column("rid")?.string, method: row.column("method")?.string ?? "",
                body: row.column("body")?.string, duration: row.column("duration").flatMap { $0.isNull ? nil : $0.double })
        }
    }
}
