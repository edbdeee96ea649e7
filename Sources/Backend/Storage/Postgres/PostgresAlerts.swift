import Foundation
import Logging
import PostgresNIO

/// The evaluator's reads and writes on PostgreSQL, inside one transaction.
struct PostgresAlertTransaction: AlertTransaction {
    var connection: PostgresConnection
    var logger: Logger

    /// The columns of `CheckRecord(postgres:)`, then the candidate's own.
    static let columns = """
        \(LatestColumns.record),
        c.id, c.notified_state, c.notified_at, c.flapping_since,
        coalesce((SELECT hc.state = 'alert' FROM checks hc WHERE hc.host_id = c.host_id AND hc.name = 'host'), false), h.tags
        """

    static func candidate(_ row: PostgresRow) throws -> AlertCandidate {
        let row = row.makeRandomAccess()
        return AlertCandidate(
            id: try row[18].decode(Int64.self), check: try CheckRecord(postgres: row),
            notifiedState: CheckState(rawValue: try row[19].decode(String.self)) ?? .ok,
            flappingSince: try row[21].decode(Date?.self), notifiedAt: try row[20].decode(Date?.self),
            hostDown: try row[22].decode(Bool.self), hostTags: HostTagList.split(try row[23].decode(String?.self)))
    }

    func candidates(ids: [Int64], skipLocked: Bool) async throws -> [AlertCandidate] {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.columns) FROM checks c \(unescaped: LatestColumns.joins)
            WHERE c.id = ANY(\(ids)) ORDER BY c.id FOR UPDATE OF c \(unescaped: skipLocked ? "SKIP LOCKED" : "")
            """, logger: logger)
        var found: [AlertCandidate] = []
        for try await row in rows { found.append(try Self.candidate(row)) }
        return found
    }

    func samples(since: [Int64: Date]) async throws -> [Int64: [SampleRecord]] {
        let ids = Array(since.keys)
        let times = ids.map { since[$0] ?? Date() }
        // A constant bound too, so the plan skips older partitions whichever join it picks.
        let earliest = times.min() ?? Date()
        let rows = try await connection.query(
            """
            SELECT w.id, r.at, r.check_values[p.at]
            FROM unnest(\(ids)::int8[], \(times)::timestamptz[]) AS w (id, since)
            JOIN checks c ON c.id = w.id
            JOIN report_samples r ON r.host_id = c.host_id AND r.at >= w.since AND r.at >= \(earliest)
            CROSS JOIN LATERAL array_position(r.check_ids, w.id) AS p (at)
            WHERE p.at IS NOT NULL ORDER BY w.id, r.at
            """, logger: logger)
        var samples: [Int64: [SampleRecord]] = [:]
        for try await (id, at, value) in rows.decode((Int64, Date, Double).self) { samples[id, default: []].append(SampleRecord(at: at, value: value)) }
        return samples
    }

    func flipCounts(checkIDs: [Int64], since: Date) async throws -> [Int64: Int] {
        let rows = try await connection.query("""
            SELECT check_id, count(*) FROM flips WHERE check_id = ANY(\(checkIDs)) AND at >= \(since) GROUP BY check_id
            """, logger: logger)
        var counts: [Int64: Int] = [:]
        for try await (id, count) in rows.decode((Int64, Int64).self) { counts[id] = Int(count) }
        return counts
    }

    func write(_ decisions: [AlertDecision]) async throws {
        // PostgreSQL takes at most 65,535 parameters in a statement: 18 per decision.
        for start in stride(from: 0, to: decisions.count, by: 1000) {
            try await connection.query(Self.writing(decisions[start..<min(start + 1000, decisions.count)]), logger: logger)
        }
    }

    /// One statement for all decisions: the checks' columns, the flips, and each message's outbox
    /// rows, which point at their flip.
    static func writing(_ decisions: ArraySlice<AlertDecision>) -> PostgresQuery {
        var binds = PostgresBindings(capacity: decisions.count * 18)
        var rows: [String] = []
        rows.reserveCapacity(decisions.count)
        let types = ["int8", "text", "timestamptz", "text", "timestamptz", "timestamptz",
                     "timestamptz", "text", "text", "float8", "text", "text", "jsonb", "timestamptz", "text", "text[]", "float8[]", "bool[]"]
        for decision in decisions {
            binds.append(decision.candidate.id)
            binds.append(decision.state.rawValue)
            binds.append(decision.since)
            binds.append(decision.notifiedState.rawValue)
            binds.append(decision.notifiedAt)
            binds.append(decision.flappingSince)
            binds.append(decision.flip?.at)
            binds.append(decision.flip?.from.rawValue)
            binds.append(decision.flip?.to.rawValue)
            binds.append(decision.flip?.value)
            binds.append(decision.flip?.reason)
            binds.append(decision.message.map { "\($0.host)/\($0.check)" })
            binds.append(decision.message?.json())
            binds.append(decision.message?.at)
            binds.append(decision.message?.host)
            binds.append(decision.deliveries.map(\.channel))
            binds.append(decision.deliveries.map(\.delay))
            binds.append(decision.deliveries.map(\.cancelsHeld))
            let first = rows.count * types.count
            rows.append("(" + types.enumerated().map { "$\(first + $0.offset + 1)::\($0.element)" }.joined(separator: ", ") + ")")
        }
        let sql = """
            WITH d (id, state, since, notified_state, notified_at, flapping_since, flip_at, from_state, to_state, value, reason,
                    check_key, event, message_at, host, channels, delays, cancels) AS (VALUES \(rows.joined(separator: ", "))
            ), u AS (
                UPDATE checks c SET state = d.state, since = d.since, notified_state = d.notified_state,
                    notified_at = d.notified_at, flapping_since = d.flapping_since
                FROM d WHERE c.id = d.id
            ), f AS (
                INSERT INTO flips (check_id, at, from_state, to_state, value, reason)
                SELECT id, flip_at, from_state, to_state, value, reason FROM d WHERE flip_at IS NOT NULL
                RETURNING id, check_id
            ), r AS (
                SELECT d.*, x.channel, x.delay, x.cancels AS cancels_held
                FROM d CROSS JOIN LATERAL unnest(d.channels, d.delays, d.cancels) AS x (channel, delay, cancels) WHERE d.event IS NOT NULL
            ), c AS (
                -- A recovery removes the check's notifications still held on the channel, and what waits behind them.
                DELETE FROM notifications n USING r
                WHERE r.cancels_held AND n.check_key = r.check_key AND n.channel = r.channel
                  AND n.delivered_at IS NULL AND n.failed_at IS NULL
                  AND n.id >= (SELECT min(h.id) FROM notifications h WHERE h.check_key = r.check_key AND h.channel = r.channel
                               AND h.held_until > r.message_at AND h.delivered_at IS NULL AND h.failed_at IS NULL)
                RETURNING n.check_key, n.channel
            )
            INSERT INTO notifications (flip_id, host, check_key, channel, event, created_at, next_attempt_at, held_until)
            SELECT f.id, r.host, r.check_key, r.channel, r.event, r.message_at, r.message_at + r.delay * interval '1 second',
                CASE WHEN r.delay > 0 THEN r.message_at + r.delay * interval '1 second' END
            FROM r LEFT JOIN f ON f.check_id = r.id
            WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.check_key = r.check_key AND c.channel = r.channel)
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

extension PostgresStore {
    /// Guards leadership of evaluation: the same number in every backend.
    static let leaderLock: Int64 = 0x6D65_7472_6963_74  // "metrict"

    func withAlertTransaction<T: Sendable>(_ body: @escaping @Sendable (any AlertTransaction) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            try await body(PostgresAlertTransaction(connection: connection, logger: logger))
        }
    }

    func eachAlertCandidate(_ body: (AlertCandidate) -> Void) async throws {
        let rows = try await client.query(
            "SELECT \(unescaped: PostgresAlertTransaction.columns) FROM checks c \(unescaped: LatestColumns.joins)", logger: logger)
        for try await row in rows { body(try PostgresAlertTransaction.candidate(row)) }
    }

    func lead(backend: String, startedAt: Date, _ body: @Sendable (_ beat: @Sendable () async throws -> Void) async throws -> Void) async throws -> Bool {
        let logger = self.logger
        return try await client.withConnection { connection in
            var acquired = false
            for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(Self.leaderLock))", logger: logger).decode(Bool.self) {
                acquired = value
            }
            guard acquired else { return false }
            // The lock lives as long as this connection: a beat on it fails once the lock is gone.
            // A query on a connection the server dropped can wait forever, so each has a deadline:
            // without it, a leader outlived a PostgreSQL restart without leading, and ignored SIGTERM.
            let beat: @Sendable () async throws -> Void = {
                let done = await withDeadline(.seconds(10)) {
                    // The others follow: there is one leader row, however leadership last changed.
                    try await connection.query("""
                        WITH others AS (UPDATE evaluator_beats SET leader = false WHERE leader AND backend <> \(backend))
                        INSERT INTO evaluator_beats (backend, started_at, beat_at, leader, session_pid)
                        VALUES (\(backend), \(startedAt), now(), true, pg_backend_pid())
                        ON CONFLICT (backend) DO UPDATE SET beat_at = now(), leader = true, session_pid = pg_backend_pid()
                        """, logger: logger)
                }
                switch done {
                case .success?: return
                case .failure(let error)?: throw error
                case nil: throw StoreError.unavailable("the leader's beat got no answer within 10 s")
                }
            }
            let unlock: @Sendable () async -> Void = {
                _ = await withDeadline(.seconds(5)) { try await connection.query("SELECT pg_advisory_unlock(\(Self.leaderLock))", logger: logger) }
            }
            do {
                try await body(beat)
            } catch {
                await unlock()
                throw error
            }
            await unlock()
            return true
        }
    }

    func claimNotifications(channel: String, now: Date, lease: Double, limit: Int, oldestOfEachCheck: Bool) async throws -> [StoredNotification] {
        let until = now.addingTimeInterval(lease)
        // Windows and id arrays, not a correlated NOT EXISTS and IN: a storm grows the table faster
        // than statistics follow, and with stale ones the planner ran that anti-join per row
        // (3.5 s for 5,000 rows, against 30 ms for this form, whatever the statistics say).
        let rows = try await client.query("""
            WITH pending AS (
                SELECT p.id, p.host, p.next_attempt_at <= \(now) AND (p.claimed_until IS NULL OR p.claimed_until < \(now)) AS ready,
                    -- An older notification of the check that is not yet due or is claimed (with
                    -- oldestOfEachCheck: any older one) holds this one back.
                    coalesce(bool_or(\(oldestOfEachCheck) OR p.next_attempt_at > \(now) OR p.claimed_until >= \(now))
                             OVER (PARTITION BY p.check_key ORDER BY p.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS blocked
                FROM notifications p
                WHERE p.channel = \(channel) AND p.delivered_at IS NULL AND p.failed_at IS NULL
            ), due AS (
                SELECT id, row_number() OVER (PARTITION BY host ORDER BY id) AS turn FROM pending WHERE ready AND NOT blocked
            ), picked AS MATERIALIZED (
                SELECT id FROM due ORDER BY turn, id LIMIT \(limit)
            ), locked AS MATERIALIZED (
                SELECT n.id FROM notifications n WHERE n.id = ANY (ARRAY(SELECT id FROM picked)) FOR UPDATE SKIP LOCKED
            )
            UPDATE notifications n SET claimed_until = \(until), attempts = n.attempts + 1
            WHERE n.id = ANY (ARRAY(SELECT id FROM locked))
            RETURNING \(unescaped: Self.notificationColumns("n"))
            """, logger: logger)
        return try await Self.notifications(rows)
    }

    static func notificationColumns(_ table: String) -> String {
        ["id", "channel", "host", "check_key", "event::text", "attempts", "created_at", "held_until", "delivered_at"]
            .map { "\(table).\($0)" }.joined(separator: ", ")
    }

    static func notifications(_ rows: PostgresRowSequence) async throws -> [StoredNotification] {
        var found: [StoredNotification] = []
        for try await (id, channel, host, key, message, attempts, created, held, delivered)
            in rows.decode((Int64, String, String, String, String, Int, Date, Date?, Date?).self) {
            found.append(StoredNotification(id: id, channel: channel, host: host, checkKey: key, message: message, attempts: attempts,
                                            createdAt: created, heldUntil: held, deliveredAt: delivered))
        }
        return found.sorted { $0.id < $1.id }
    }

    func markDelivered(ids: [Int64], at: Date, group: Int64?) async throws {
        guard !ids.isEmpty else { return }
        try await client.query("""
            UPDATE notifications SET delivered_at = \(at), claimed_until = NULL, last_error = NULL, group_id = \(group)
            WHERE id = ANY(\(ids))
            """, logger: logger)
    }

    func notificationGroup(id: Int64, limit: Int) async throws -> [StoredNotification] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.notificationColumns("n")) FROM notifications n
            WHERE n.group_id = \(id) OR (n.id = \(id) AND n.group_id IS NULL) ORDER BY n.id LIMIT \(limit)
            """, logger: logger)
        return try await Self.notifications(rows)
    }

    func reschedule(id: Int64, at: Date, error: String) async throws {
        try await client.query(
            "UPDATE notifications SET next_attempt_at = \(at), claimed_until = NULL, last_error = \(error) WHERE id = \(id)", logger: logger)
    }

    func markFailed(id: Int64, error: String, at: Date) async throws {
        try await client.query(
            "UPDATE notifications SET failed_at = \(at), claimed_until = NULL, last_error = \(error) WHERE id = \(id)", logger: logger)
    }

    func outboxDepth() async throws -> Int {
        let rows = try await client.query(
            "SELECT count(*) FROM notifications WHERE delivered_at IS NULL AND failed_at IS NULL", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    func setSilence(host: String, check: String?, until: Date?) async throws -> [Int64] {
        let rows = try await client.query("""
            UPDATE checks c SET silenced_until = \(until) FROM hosts h
            WHERE h.id = c.host_id AND h.name = \(host) AND (\(check)::text IS NULL OR c.name = \(check))
            RETURNING c.id
            """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    func setPaused(host: String, check: String?, paused: Bool, silencedAtLeastUntil: Date?) async throws -> [Int64] {
        let rows = try await client.query("""
            UPDATE checks c SET paused = \(paused),
                silenced_until = CASE WHEN \(silencedAtLeastUntil)::timestamptz IS NULL THEN c.silenced_until
                                      ELSE greatest(c.silenced_until, \(silencedAtLeastUntil)) END
            FROM hosts h
            WHERE h.id = c.host_id AND h.name = \(host) AND (\(check)::text IS NULL OR c.name = \(check))
            RETURNING c.id
            """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    func flips(host: String?, check: String?, limit: Int) async throws -> [Flip] {
        let rows = try await client.query("""
            SELECT h.name, c.name, f.at, f.from_state, f.to_state, f.value, f.reason
            FROM flips f JOIN checks c ON c.id = f.check_id JOIN hosts h ON h.id = c.host_id
            WHERE (\(host)::text IS NULL OR h.name = \(host)) AND (\(check)::text IS NULL OR c.name = \(check))
            ORDER BY f.at DESC, f.id DESC LIMIT \(limit)
            """, logger: logger)
        var flips: [Flip] = []
        for try await (host, name, at, from, to, value, reason) in rows.decode((String, String, Date, String, String, Double?, String).self) {
            flips.append(Flip(host: host, check: name, at: at, from: CheckState(rawValue: from) ?? .ok,
                                    to: CheckState(rawValue: to) ?? .ok, value: value, reason: reason))
        }
        return flips
    }
}
