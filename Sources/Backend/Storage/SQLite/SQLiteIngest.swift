import Foundation
import SQLiteNIO

/// One report's writes on SQLite: the host, the dedup key, every check in one multi-row upsert,
/// and every sample in one multi-row insert. Runs inside the writer's transaction.
enum SQLiteIngest {
    /// The outcome, and the checks written (for the evaluator, in the same transaction).
    static func apply(_ rows: ReportRows, receivedAt: Date, sampleCutoff: Date, on db: SQLiteConnection) async throws -> (IngestOutcome, [AlertEvaluator.Written]) {
        let received = SQLiteData.integer(Int(receivedAt.microseconds))
        let sent = SQLiteData.integer(Int(rows.sentAt.microseconds))
        let host = try await db.query("""
            INSERT INTO hosts (name, boot_id, sender, first_seen, last_report_at, last_sent_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                boot_id = coalesce(excluded.boot_id, hosts.boot_id), sender = coalesce(excluded.sender, hosts.sender),
                last_report_at = max(hosts.last_report_at, excluded.last_report_at),
                last_sent_at = max(hosts.last_sent_at, excluded.last_sent_at)
            RETURNING id
            """, [.text(rows.host), .optional(rows.bootId), .optional(rows.sender), received, received, sent])
        guard let hostID = host.first?.column("id")?.integer else { throw StoreError.unavailable("the host row was not returned") }
        let fresh = try await db.query(
            "INSERT INTO ingested_reports (host_id, report_key, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
            [.integer(hostID), .text(rows.dedupKey), received])
        guard !fresh.isEmpty else { return (.duplicate, []) }
        guard !rows.names.isEmpty else { return (.stored(samples: 0), []) }

        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.names.count * 13)
        for i in rows.names.indices {
            binds += [
                .integer(hostID), .text(rows.names[i]), .text(rows.kinds[i]), .optional(rows.values[i]), .optional(rows.units[i]),
                .optional(rows.statuses[i]), .optional(rows.errors[i]), .optional(rows.details[i]), received, received, sent,
                .optional(rows.every[i]), .optional(rows.grace[i]),
            ]
        }
        let tuples = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.names.count).joined(separator: ", ")
        let written = try await db.query("""
            INSERT INTO checks (host_id, name, kind, value, unit, status, error, details, since, last_seen, observed_at,
                                every_seconds, grace_seconds)
            VALUES \(tuples)
            ON CONFLICT (host_id, name) DO UPDATE SET
                kind = excluded.kind, value = excluded.value, unit = excluded.unit, status = excluded.status,
                error = excluded.error, details = excluded.details, last_seen = excluded.last_seen,
                observed_at = excluded.observed_at,
                every_seconds = coalesce(excluded.every_seconds, checks.every_seconds),
                grace_seconds = coalesce(excluded.grace_seconds, checks.grace_seconds)
            WHERE excluded.observed_at >= checks.observed_at
            RETURNING id, name, state, notified_state, flapping_since IS NOT NULL AS flapping, since = last_seen AS is_new
            """, binds)
        let checks = written.map { row in
            AlertEvaluator.Written(
                id: Int64(row.column("id")?.integer ?? 0), host: rows.host, name: row.column("name")?.string ?? "",
                state: row.column("state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                notifiedState: row.column("notified_state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                flapping: (row.column("flapping")?.integer ?? 0) != 0, isNew: (row.column("is_new")?.integer ?? 0) != 0)
        }

        guard rows.sentAt >= sampleCutoff else { return (.stored(samples: 0), checks) }
        var sampleBinds: [SQLiteData] = []
        for i in rows.names.indices { if let value = rows.values[i] { sampleBinds += [.text(rows.names[i]), .float(value)] } }
        guard !sampleBinds.isEmpty else { return (.stored(samples: 0), checks) }
        let count = sampleBinds.count / 2
        let values = Array(repeating: "(?, ?)", count: count).joined(separator: ", ")
        let inserted = try await db.query("""
            WITH v (name, value) AS (VALUES \(values))
            INSERT INTO samples (check_id, at, value)
            SELECT c.id, ?, v.value FROM v JOIN checks c ON c.host_id = ? AND c.name = v.name WHERE true
            ON CONFLICT DO NOTHING RETURNING 1
            """, sampleBinds + [sent, .integer(hostID)])
        return (.stored(samples: inserted.count), checks)
    }
}

extension SQLiteData {
    static func optional(_ text: String?) -> SQLiteData { text.map(SQLiteData.text) ?? .null }
    static func optional(_ number: Double?) -> SQLiteData { number.map(SQLiteData.float) ?? .null }
    static func optional(_ number: Int?) -> SQLiteData { number.map(SQLiteData.integer) ?? .null }
}
