import Foundation
import SQLiteNIO

/// The evaluator's reads and writes on SQLite, inside the writer's transaction (one writer, so
/// nothing to lock).
struct SQLiteAlertTransaction: AlertTransaction {
    var db: SQLiteConnection

    static let select = """
        SELECT h.name AS host, c.*, h.tags AS host_tags,
               coalesce((SELECT hc.state = 'alert' FROM checks hc WHERE hc.host_id = c.host_id AND hc.name = 'host'), 0) AS host_down
        FROM checks c JOIN hosts h ON h.id = c.host_id
        """

    static func candidate(_ row: SQLiteRow) -> AlertCandidate {
        AlertCandidate(
            id: Int64(row.column("id")?.integer ?? 0), check: CheckRecord(sqlite: row),
            notifiedState: row.column("notified_state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
            flappingSince: row.optionalDate("flapping_since"), notifiedAt: row.optionalDate("notified_at"),
            hostDown: (row.column("host_down")?.integer ?? 0) != 0, hostTags: HostTagList.split(row.column("host_tags")?.string))
    }

    func candidates(ids: [Int64], skipLocked: Bool) async throws -> [AlertCandidate] {
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        let rows = try await db.query(Self.select + " WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.id", [.text(list)])
        return rows.map(Self.candidate)
    }

    func samples(since: [Int64: Date]) async throws -> [Int64: [SampleRecord]] {
        let found = try await db.query(
            "SELECT id, host_id FROM checks WHERE id IN (SELECT value FROM json_each(?))", [.text(ReportSampleRows.array(Array(since.keys)))])
        var byHost: [Int: [Int64]] = [:]
        for row in found {
            guard let id = row.column("id")?.integer, let host = row.column("host_id")?.integer else { continue }
            byHost[host, default: []].append(Int64(id))
        }
        // One pass over each host's report rows, from the earliest time any of its checks needs.
        var samples: [Int64: [SampleRecord]] = [:]
        for (host, ids) in byHost {
            let from = ids.compactMap { since[$0] }.min() ?? Date()
            let read = try await ReportSampleRows.read(checkIDs: ids, hostID: host, from: from, to: .distantFuture, limit: .max, on: db)
            for (id, list) in read { samples[id] = list.filter { $0.at >= since[id] ?? from } }
        }
        return samples
    }

    func flipCounts(checkIDs: [Int64], since: Date) async throws -> [Int64: Int] {
        let list = "[" + checkIDs.map(String.init).joined(separator: ",") + "]"
        let rows = try await db.query("""
            SELECT check_id, count(*) AS n FROM flips WHERE check_id IN (SELECT value FROM json_each(?)) AND at >= ? GROUP BY check_id
            """, [.text(list), .integer(Int(since.microseconds))])
        var counts: [Int64: Int] = [:]
        for row in rows {
            if let id = row.column("check_id")?.integer { counts[Int64(id)] = row.column("n")?.integer ?? 0 }
        }
        return counts
    }

    // In-process, a statement per decision costs no network round trip.
    func write(_ decisions: [AlertDecision]) async throws {
        for decision in decisions { try await write(decision) }
    }

    private func write(_ decision: AlertDecision) async throws {
        let id = SQLiteData.integer(Int(decision.candidate.id))
        _ = try await db.query("""
            UPDATE checks SET state = ?, since = ?, notified_state = ?, notified_at = ?, flapping_since = ? WHERE id = ?
            """, [.text(decision.state.rawValue), .time(decision.since), .text(decision.notifiedState.rawValue),
                  .time(decision.notifiedAt), .time(decision.flappingSince), id])
        var flipID = SQLiteData.null
        if let flip = decision.flip {
            let rows = try await db.query("""
                INSERT INTO flips (check_id, at, from_state, to_state, value, reason) VALUES (?, ?, ?, ?, ?, ?) RETURNING id
                """, [id, .time(flip.at), .text(flip.from.rawValue), .text(flip.to.rawValue), .optional(flip.value), .text(flip.reason)])
            if let value = rows.first?.column("id")?.integer { flipID = .integer(value) }
        }
        guard let message = decision.message else { return }
        let key = SQLiteData.text("\(message.host)/\(message.check)")
        for delivery in decision.deliveries {
            if delivery.cancelsHeld {
                // The held notifications of this check on the channel, and what waits behind them.
                let cancelled = try await db.query("""
                    DELETE FROM notifications WHERE check_key = ? AND channel = ? AND delivered_at IS NULL AND failed_at IS NULL
                      AND id >= (SELECT min(id) FROM notifications WHERE check_key = ? AND channel = ? AND held_until > ?
                                 AND delivered_at IS NULL AND failed_at IS NULL)
                    RETURNING id
                    """, [key, .text(delivery.channel), key, .text(delivery.channel), .time(message.at)])
                if !cancelled.isEmpty { continue }
            }
            let due = message.at.addingTimeInterval(delivery.delay)
            _ = try await db.query("""
                INSERT INTO notifications (flip_id, host, check_key, channel, event, created_at, next_attempt_at, held_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [flipID, .text(message.host), key, .text(delivery.channel), .text(message.json()), .time(message.at), .time(due),
                      .time(delivery.delay > 0 ? due : nil)])
        }
    }
}

extension SQLiteData {
    static func time(_ date: Date?) -> SQLiteData { date.map { .integer(Int($0.microseconds)) } ?? .null }
}

extension SQLiteStore {
    func withAlertTransaction<T: Sendable>(_ body: @escaping @Sendable (any AlertTransaction) async throws -> T) async throws -> T {
        try await writer.write { db in try await body(SQLiteAlertTransaction(db: db)) }
    }

    func eachAlertCandidate(_ body: (AlertCandidate) -> Void) async throws {
        for row in try await readConnection.query(SQLiteAlertTransaction.select) { body(SQLiteAlertTransaction.candidate(row)) }
    }

    /// One process owns the file, so it always leads.
    func lead(backend: String, startedAt: Date, _ body: @Sendable (_ beat: @Sendable () async throws -> Void) async throws -> Void) async throws -> Bool {
        let writer = self.writer
        try await body {
            _ = try await writer.write { db in
                // Other rows are this file's earlier runs.
                _ = try await db.query("DELETE FROM evaluator_beats WHERE backend <> ?", [.text(backend)])
                return try await db.query("""
                    INSERT INTO evaluator_beats (backend, started_at, beat_at, leader) VALUES (?, ?, ?, 1)
                    ON CONFLICT (backend) DO UPDATE SET beat_at = excluded.beat_at, leader = 1
                    """, [.text(backend), .time(startedAt), .time(Date())]).count
            }
        }
        return true
    }

    func claimNotifications(channel: String, now: Date, lease: Double, limit: Int, oldestOfEachCheck: Bool) async throws -> [StoredNotification] {
        let rows = try await writer.write { db in
            try await db.query("""
                UPDATE notifications SET claimed_until = ?, attempts = attempts + 1
                WHERE id IN (
                    SELECT q.id FROM (
                        SELECT p.id, row_number() OVER (PARTITION BY p.host ORDER BY p.id) AS turn
                        FROM notifications p
                        WHERE p.channel = ? AND p.delivered_at IS NULL AND p.failed_at IS NULL AND p.next_attempt_at <= ?
                          AND (p.claimed_until IS NULL OR p.claimed_until < ?)
                          AND NOT EXISTS (SELECT 1 FROM notifications e WHERE e.channel = p.channel AND e.check_key = p.check_key
                                          AND e.id < p.id AND e.delivered_at IS NULL AND e.failed_at IS NULL
                                          AND (? OR e.next_attempt_at > ? OR e.claimed_until >= ?))
                    ) q ORDER BY q.turn, q.id LIMIT ?)
                RETURNING \(Self.notificationColumns)
                """, [.time(now.addingTimeInterval(lease)), .text(channel), .time(now), .time(now), .integer(oldestOfEachCheck ? 1 : 0), .time(now), .time(now), .integer(limit)])
        }
        return rows.map(Self.notification).sorted { $0.id < $1.id }
    }

    static let notificationColumns = "id, channel, host, check_key, event, attempts, created_at, held_until, delivered_at"

    static func notification(_ row: SQLiteRow) -> StoredNotification {
        StoredNotification(
            id: Int64(row.column("id")?.integer ?? 0), channel: row.column("channel")?.string ?? "", host: row.column("host")?.string ?? "",
            checkKey: row.column("check_key")?.string ?? "", message: row.column("event")?.string ?? "",
            attempts: row.column("attempts")?.integer ?? 1, createdAt: row.date("created_at"),
            heldUntil: row.column("held_until")?.integer.map { _ in row.date("held_until") },
            deliveredAt: row.column("delivered_at")?.integer.map { _ in row.date("delivered_at") })
    }

    func markDelivered(ids: [Int64], at: Date, group: Int64?) async throws {
        guard !ids.isEmpty else { return }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        _ = try await writer.write { db in
            try await db.query("""
                UPDATE notifications SET delivered_at = ?, claimed_until = NULL, last_error = NULL, group_id = ?
                WHERE id IN (SELECT value FROM json_each(?))
                """, [.time(at), group.map { .integer(Int($0)) } ?? .null, .text(list)]).count
        }
    }

    func notificationGroup(id: Int64, limit: Int) async throws -> [StoredNotification] {
        try await readConnection.query("""
            SELECT \(Self.notificationColumns) FROM notifications
            WHERE group_id = ? OR (id = ? AND group_id IS NULL) ORDER BY id LIMIT ?
            """, [.integer(Int(id)), .integer(Int(id)), .integer(limit)]).map(Self.notification)
    }

    func reschedule(id: Int64, at: Date, error: String) async throws {
        _ = try await writer.write { db in
            try await db.query("UPDATE notifications SET next_attempt_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
                               [.time(at), .text(error), .integer(Int(id))]).count
        }
    }

    func markFailed(id: Int64, error: String, at: Date) async throws {
        _ = try await writer.write { db in
            try await db.query("UPDATE notifications SET failed_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
                               [.time(at), .text(error), .integer(Int(id))]).count
        }
    }

    func outboxDepth() async throws -> Int {
        try await readConnection.query(
            "SELECT count(*) AS n FROM notifications WHERE delivered_at IS NULL AND failed_at IS NULL").first?.column("n")?.integer ?? 0
    }

    func setSilence(host: String, check: String?, until: Date?) async throws -> [Int64] {
        try await writer.write { db in
            try await db.query("""
                UPDATE checks SET silenced_until = ?
                WHERE host_id = (SELECT id FROM hosts WHERE name = ?) AND (? IS NULL OR name = ?) RETURNING id
                """, [.time(until), .text(host), .optional(check), .optional(check)]).compactMap { $0.column("id")?.integer.map(Int64.init) }
        }
    }

    func setPaused(host: String, check: String?, paused: Bool, silencedAtLeastUntil: Date?) async throws -> [Int64] {
        try await writer.write { db in
            try await db.query("""
                UPDATE checks SET paused = ?,
                    silenced_until = CASE WHEN ? IS NULL THEN silenced_until ELSE max(coalesce(silenced_until, 0), ?) END
                WHERE host_id = (SELECT id FROM hosts WHERE name = ?) AND (? IS NULL OR name = ?) RETURNING id
                """, [.integer(paused ? 1 : 0), .time(silencedAtLeastUntil), .time(silencedAtLeastUntil), .text(host), .optional(check), .optional(check)])
                .compactMap { $0.column("id")?.integer.map(Int64.init) }
        }
    }

    func flips(host: String?, check: String?, limit: Int) async throws -> [Flip] {
        let rows = try await readConnection.query("""
            SELECT h.name AS host, c.name AS name, f.at, f.from_state, f.to_state, f.value, f.reason
            FROM flips f JOIN checks c ON c.id = f.check_id JOIN hosts h ON h.id = c.host_id
            WHERE (? IS NULL OR h.name = ?) AND (? IS NULL OR c.name = ?)
            ORDER BY f.at DESC, f.id DESC LIMIT ?
            """, [.optional(host), .optional(host), .optional(check), .optional(check), .integer(limit)])
        return rows.map { row in
            Flip(
                host: row.column("host")?.string ?? "", check: row.column("name")?.string ?? "", at: row.date("at"),
                from: row.column("from_state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                to: row.column("to_state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                value: row.column("value").flatMap { $0.isNull ? nil : $0.double }, reason: row.column("reason")?.string ?? "")
        }
    }
}
