import Foundation
import Logging
import PostgresNIO

/// Versioned migrations of the PostgreSQL engine. Append new versions; never edit an applied one.
/// hosts and checks are updated by every report: free space in each page (fillfactor) lets those
/// updates stay heap-only, without touching indexes.
enum PostgresSchema {
    enum Step: Sendable {
        case sql(String)
        /// A time-partitioned table: hypertable or native partitions, decided when it is created.
        case timePartitioned(TimePartitionedTable)
        /// Runs only when pg_trgm is enabled (a trigram index for substring search).
        case withTrigram(String)
        /// Work beyond one statement, in the migration's transaction.
        case run(@Sendable (PostgresConnection, Logger) async throws -> Void)
    }

    static func migrations(samples: TimePartitionedTable, reportSamples: TimePartitionedTable) -> [[Step]] {
        [
            // 1: hosts, checks, flips, tokens, users and sessions.
            [
                .sql("""
                    CREATE TABLE hosts (
                        id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, boot_id text, sender text,
                        first_seen timestamptz NOT NULL, last_report_at timestamptz NOT NULL,
                        last_sent_at timestamptz NOT NULL)
                    WITH (fillfactor = 70)
                    """),
                .sql("""
                    CREATE TABLE checks (
                        id bigserial PRIMARY KEY,
                        host_id bigint NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
                        name text NOT NULL, kind text NOT NULL, value double precision, unit text,
                        status text, error text, details jsonb,
                        state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'alert', 'no-data')),
                        since timestamptz NOT NULL, last_seen timestamptz NOT NULL, observed_at timestamptz NOT NULL,
                        every_seconds integer, grace_seconds integer, cron text, timezone text, rules jsonb,
                        silenced_until timestamptz, paused boolean NOT NULL DEFAULT false,
                        UNIQUE (host_id, name))
                    WITH (fillfactor = 70)
                    """),
                .sql("""
                    CREATE TABLE ingested_reports (
                        host_id bigint NOT NULL, report_key text NOT NULL, received_at timestamptz NOT NULL,
                        PRIMARY KEY (host_id, report_key))
                    """),
                .sql("CREATE INDEX ingested_reports_received ON ingested_reports (received_at)"),
                .sql("""
                    CREATE TABLE flips (
                        id bigserial PRIMARY KEY,
                        check_id bigint NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
                        at timestamptz NOT NULL, from_state text NOT NULL, to_state text NOT NULL,
                        value double precision, reason text NOT NULL)
                    """),
                .sql("CREATE INDEX flips_check_at ON flips (check_id, at)"),
                .sql("""
                    CREATE TABLE api_tokens (
                        id bigserial PRIMARY KEY, token_hash text NOT NULL UNIQUE, prefix text NOT NULL,
                        host text, label text, created_at timestamptz NOT NULL, revoked_at timestamptz)
                    """),
                .sql("""
                    CREATE TABLE users (
                        id bigserial PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL,
                        created_at timestamptz NOT NULL)
                    """),
                .sql("CREATE UNIQUE INDEX users_email ON users (lower(email))"),
                .sql("""
                    CREATE TABLE sessions (
                        id_hash text PRIMARY KEY,
                        user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                        csrf_token text NOT NULL, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)
                    """),
            ],
            // 2: samples, time-partitioned.
            [.timePartitioned(samples)],
            // 3: alerting: what the user heard last, the outbox, the evaluator's heartbeats.
            [
                .sql("""
                    ALTER TABLE checks ADD COLUMN notified_state text NOT NULL DEFAULT 'ok',
                        ADD COLUMN notified_at timestamptz, ADD COLUMN flapping_since timestamptz
                    """),
                .sql("CREATE INDEX flips_at ON flips (at)"),
                .sql("""
                    CREATE TABLE notifications (
                        id bigserial PRIMARY KEY,
                        flip_id bigint REFERENCES flips (id) ON DELETE SET NULL,
                        check_key text NOT NULL, channel text NOT NULL, event jsonb NOT NULL,
                        created_at timestamptz NOT NULL, next_attempt_at timestamptz NOT NULL,
                        claimed_until timestamptz, attempts integer NOT NULL DEFAULT 0, last_error text,
                        delivered_at timestamptz, failed_at timestamptz)
                    """),
                .sql("CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL"),
                .sql("CREATE INDEX notifications_order ON notifications (channel, check_key, id) WHERE delivered_at IS NULL AND failed_at IS NULL"),
                .sql("""
                    CREATE TABLE evaluator_beats (
                        backend text PRIMARY KEY, started_at timestamptz NOT NULL, beat_at timestamptz NOT NULL, leader boolean NOT NULL)
                    """),
            ],
            // 4: heartbeats pinged by URL (Healthchecks-style): ping ids, slugs, ping keys, pings.
            [
                .sql("ALTER TABLE checks ADD COLUMN ping_id text, ADD COLUMN slug text"),
                .sql("CREATE UNIQUE INDEX checks_ping_id ON checks (ping_id)"),
                .sql("CREATE INDEX checks_slug ON checks (host_id, slug)"),
                .sql("CREATE TABLE ping_keys (key_hash text PRIMARY KEY, host text NOT NULL, created_at timestamptz NOT NULL)"),
                .sql("""
                    CREATE TABLE pings (
                        id bigserial PRIMARY KEY,
                        check_id bigint NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
                        at timestamptz NOT NULL, kind text NOT NULL, exit_status integer, rid text, method text NOT NULL,
                        body text, duration double precision)
                    """),
                .sql("CREATE INDEX pings_check_at ON pings (check_id, at)"),
                .sql("CREATE INDEX pings_at ON pings (at)"),
            ],
            // 5: samples as one row per report (the host, the time, its checks' ids and values)
            // instead of one row per check: a report then writes one row and one index entry, not 20.
            [
                .timePartitioned(reportSamples),
                .run { connection, logger in try await copySamples(into: reportSamples, on: connection, logger: logger) },
                .sql("DROP TABLE samples"),
            ],
            // 6: each host's newest report in one row, so a report writes one row, not one per
            // check (see LatestColumns). Rows stay uncompressed and inline up to a page, and half a
            // page free keeps their updates heap-only.
            [
                .sql("""
                    CREATE TABLE host_latest (
                        host_id bigint PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
                        observed_at timestamptz NOT NULL, last_seen timestamptz NOT NULL,
                        names text[] NOT NULL, kinds text[] NOT NULL, vals double precision[] NOT NULL, units text[] NOT NULL,
                        statuses text[] NOT NULL, errors text[] NOT NULL, details text[] NOT NULL)
                    WITH (fillfactor = 50, toast_tuple_target = 8160)
                    """),
                .sql(LatestFlush.function),
                .sql("CREATE TRIGGER host_latest_flush BEFORE UPDATE ON host_latest FOR EACH ROW EXECUTE FUNCTION host_latest_flush()"),
            ],
            // 7: the flush trigger fires only when the names change. Most reports name the same
            // checks as the last, and entering PL/pgSQL just to compare them cost every update.
            [
                .sql("DROP TRIGGER host_latest_flush ON host_latest"),
                .sql("""
                    CREATE TRIGGER host_latest_flush BEFORE UPDATE ON host_latest FOR EACH ROW
                    WHEN (NEW.names IS DISTINCT FROM OLD.names) EXECUTE FUNCTION host_latest_flush()
                    """),
            ],
            // 8: how far the host's clock is from the backend's, as its newest report showed.
            [
                .sql("ALTER TABLE host_latest ADD COLUMN clock_offset double precision"),
            ],
            // 9: roles (a viewer only looks), and sessions with an end that use does not move.
            [
                .sql("ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'admin'"),
                .sql("ALTER TABLE sessions ADD COLUMN ends_at timestamptz"),
                .sql("UPDATE sessions SET ends_at = expires_at"),
            ],
            // 10: failed logins, so the throttle survives a restart and backends share it.
            [
                .sql("""
                    CREATE TABLE login_records (
                        key text PRIMARY KEY, failures bigint[] NOT NULL, locked_until timestamptz, updated_at timestamptz NOT NULL)
                    """),
                .sql("CREATE INDEX login_records_updated ON login_records (updated_at)"),
            ],
            // 11: per-check rules were never stored here: the rules file holds them.
            [
                .sql("ALTER TABLE checks DROP COLUMN rules"),
            ],
            // 12: notifications fold into groups: each names its host (claims take hosts in
            // turn), the group it went out in (its page lists them), and until when a recovery
            // cancels it (a route's escalation delay).
            [
                .sql("ALTER TABLE notifications ADD COLUMN host text, ADD COLUMN group_id bigint, ADD COLUMN held_until timestamptz"),
                .sql("UPDATE notifications SET host = split_part(check_key, '/', 1)"),
                .sql("ALTER TABLE notifications ALTER COLUMN host SET NOT NULL"),
                .sql("CREATE INDEX notifications_group ON notifications (group_id) WHERE group_id IS NOT NULL"),
            ],
            // 13: the leader's database session, so a follower ends that session and no other.
            [
                .sql("ALTER TABLE evaluator_beats ADD COLUMN session_pid integer"),
            ],
            // 14: the host's tags, joined by commas (`HostTagList`), and the time of the report that
            // gave them: a report that tells none (a ping) moves the host's times, not this.
            [
                .sql("ALTER TABLE hosts ADD COLUMN tags text, ADD COLUMN tags_at timestamptz"),
            ],
        ]
    }

    /// Regroups the samples of migration 2 into report rows, within the new table's partitions.
    private static func copySamples(into table: TimePartitionedTable, on connection: PostgresConnection, logger: Logger) async throws {
        let now = Date()
        if try await PostgresMigrator.mode(of: table.name, on: connection, logger: logger) == .native {
            _ = try await table.maintain(now: now, on: connection, logger: logger)
        }
        let from = Date(timeIntervalSince1970: Double(TimePartitionedTable.day(of: table.insertCutoff(now: now)) - 1) * 86400)
        let to = Date(timeIntervalSince1970: Double(TimePartitionedTable.day(of: now) + table.daysAhead + 1) * 86400)
        try await connection.query("""
            INSERT INTO report_samples (host_id, at, check_ids, check_values)
            SELECT c.host_id, s.at, array_agg(s.check_id ORDER BY s.check_id), array_agg(s.value ORDER BY s.check_id)
            FROM samples s JOIN checks c ON c.id = s.check_id
            WHERE s.at >= \(from) AND s.at < \(to)
            GROUP BY c.host_id, s.at
            """, logger: logger)
    }
}
