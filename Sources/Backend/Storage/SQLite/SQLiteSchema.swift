/// Versioned migrations of the SQLite engine. Times are microseconds since the epoch (UTC).
/// Append new versions; never edit an applied one.
enum SQLiteSchema {
    static let migrations: [[String]] = [
        // 1: hosts, checks, samples, flips, tokens, users and sessions.
        [
            """
            CREATE TABLE hosts (
                id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, boot_id TEXT, sender TEXT,
                first_seen INTEGER NOT NULL, last_report_at INTEGER NOT NULL, last_sent_at INTEGER NOT NULL)
            """,
            """
            CREATE TABLE checks (
                id INTEGER PRIMARY KEY,
                host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
                name TEXT NOT NULL, kind TEXT NOT NULL, value REAL, unit TEXT, status TEXT, error TEXT,
                details TEXT, state TEXT NOT NULL DEFAULT 'ok', since INTEGER NOT NULL,
                last_seen INTEGER NOT NULL, observed_at INTEGER NOT NULL,
                every_seconds INTEGER, grace_seconds INTEGER, cron TEXT, timezone TEXT, rules TEXT,
                silenced_until INTEGER, paused INTEGER NOT NULL DEFAULT 0,
                UNIQUE (host_id, name))
            """,
            """
            CREATE TABLE samples (
                check_id INTEGER NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (check_id, at)) WITHOUT ROWID
            """,
            "CREATE INDEX samples_at ON samples (at)",
            """
            CREATE TABLE ingested_reports (
                host_id INTEGER NOT NULL, report_key TEXT NOT NULL, received_at INTEGER NOT NULL,
                PRIMARY KEY (host_id, report_key)) WITHOUT ROWID
            """,
            "CREATE INDEX ingested_reports_received ON ingested_reports (received_at)",
            """
            CREATE TABLE flips (
                id INTEGER PRIMARY KEY,
                check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
                at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,
                value REAL, reason TEXT NOT NULL)
            """,
            "CREATE INDEX flips_check_at ON flips (check_id, at)",
            """
            CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
                host TEXT, label TEXT, created_at INTEGER NOT NULL, revoked_at INTEGER)
            """,
            """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                password_hash TEXT NOT NULL, created_at INTEGER NOT NULL)
            """,
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)
            """,
        ],
        // 2: alerting: what the user heard last, the outbox, the evaluator's heartbeats.
        [
            "ALTER TABLE checks ADD COLUMN notified_state TEXT NOT NULL DEFAULT 'ok'",
            "ALTER TABLE checks ADD COLUMN notified_at INTEGER",
            "ALTER TABLE checks ADD COLUMN flapping_since INTEGER",
            "CREATE INDEX flips_at ON flips (at)",
            """
            CREATE TABLE notifications (
                id INTEGER PRIMARY KEY, flip_id INTEGER REFERENCES flips(id) ON DELETE SET NULL,
                check_key TEXT NOT NULL, channel TEXT NOT NULL, event TEXT NOT NULL,
                created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
                claimed_until INTEGER, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                delivered_at INTEGER, failed_at INTEGER)
            """,
            "CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL",
            "CREATE INDEX notifications_order ON notifications (channel, check_key, id) WHERE delivered_at IS NULL AND failed_at IS NULL",
            """
            CREATE TABLE evaluator_beats (
                backend TEXT PRIMARY KEY, started_at INTEGER NOT NULL, beat_at INTEGER NOT NULL, leader INTEGER NOT NULL)
            """,
        ],
        // 3: heartbeats pinged by URL (Healthchecks-style): ping ids, slugs, ping keys, pings.
        [
            "ALTER TABLE checks ADD COLUMN ping_id TEXT",
            "ALTER TABLE checks ADD COLUMN slug TEXT",
            "CREATE UNIQUE INDEX checks_ping_id ON checks (ping_id)",
            "CREATE INDEX checks_slug ON checks (host_id, slug)",
            "CREATE TABLE ping_keys (key_hash TEXT PRIMARY KEY, host TEXT NOT NULL, created_at INTEGER NOT NULL)",
            """
            CREATE TABLE pings (
                id INTEGER PRIMARY KEY, check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
                at INTEGER NOT NULL, kind TEXT NOT NULL, exit_status INTEGER, rid TEXT, method TEXT NOT NULL,
                body TEXT, duration REAL)
            """,
            "CREATE INDEX pings_check_at ON pings (check_id, at)",
            "CREATE INDEX pings_at ON pings (at)",
        ],
        // 4: samples as one row per report (the host, the time, its checks' ids and values as JSON
        // arrays) instead of one row per check: a report then writes one row, not 20.
        [
            """
            CREATE TABLE report_samples (
                host_id INTEGER NOT NULL, at INTEGER NOT NULL, check_ids TEXT NOT NULL, check_values TEXT NOT NULL,
                PRIMARY KEY (host_id, at)) WITHOUT ROWID
            """,
            "CREATE INDEX report_samples_at ON report_samples (at)",
            """
            INSERT INTO report_samples (host_id, at, check_ids, check_values)
            SELECT c.host_id, s.at, json_group_array(s.check_id), json_group_array(s.value)
            FROM samples s JOIN checks c ON c.id = s.check_id GROUP BY c.host_id, s.at
            """,
            "DROP TABLE samples",
            // SQLite may give a deleted check's id to the next new one: its samples then start after this.
            "CREATE TABLE retired_checks (id INTEGER PRIMARY KEY, retired_at INTEGER NOT NULL)",
        ],
        // 5: how far the host's clock is from the backend's, as its newest report showed.
        [
            "ALTER TABLE hosts ADD COLUMN clock_offset REAL",
        ],
        // 6: roles (a viewer only looks), and sessions with an end that use does not move.
        [
            "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'",
            "ALTER TABLE sessions ADD COLUMN ends_at INTEGER",
            "UPDATE sessions SET ends_at = expires_at",
        ],
        // 7: failed logins, so the throttle survives a restart.
        [
            """
            CREATE TABLE login_records (
                key TEXT PRIMARY KEY, failures TEXT NOT NULL, locked_until INTEGER, updated_at INTEGER NOT NULL)
            """,
            "CREATE INDEX login_records_updated ON login_records (updated_at)",
        ],
        // 8: per-check rules were never stored here: the rules file holds them.
        [
            "ALTER TABLE checks DROP COLUMN rules",
        ],
        // 9: notifications fold into groups: each names its host (claims take hosts in turn),
        // the group it went out in (its page lists them), and until when a recovery cancels it
        // (a route's escalation delay).
        [
            "ALTER TABLE notifications ADD COLUMN host TEXT NOT NULL DEFAULT ''",
            "UPDATE notifications SET host = substr(check_key, 1, instr(check_key, '/') - 1)",
            "ALTER TABLE notifications ADD COLUMN group_id INTEGER",
            "ALTER TABLE notifications ADD COLUMN held_until INTEGER",
            "CREATE INDEX notifications_group ON notifications (group_id) WHERE group_id IS NOT NULL",
        ],
        // 10: the host's tags, joined by commas (`HostTagList`), and the time of the report that
        // gave them: a report that tells none (a ping) moves the host's times, not this.
        [
            "ALTER TABLE hosts ADD COLUMN tags TEXT",
            "ALTER TABLE hosts ADD COLUMN tags_at INTEGER",
        ],
    ]
}
