import Foundation
import Logging
import PostgresNIO

/// Several reports in one statement, the shape `PostgresReportBatcher` sends: per report a row of
/// host, boot id, sender, time and dedup key; per observation a row tagged with its report's
/// position. The answer also names every check written, which the evaluator then looks at in the
/// same transaction. DISTINCT ON keeps one row per host and per check (the newest report's), as an
/// upsert may touch a row once per statement. Answers per report: whether it was new, and how
/// many samples it stored.
struct PostgresIngestBatch: PostgresPreparedStatement {
    typealias Row = (Int64, Bool, Int64, Int64?, String?, String?, String?, String?, Bool, Bool)

    static let sql = """
        WITH rep AS (
            SELECT r.host, NULLIF(r.boot_id, '') AS boot_id, NULLIF(r.sender, '') AS sender, r.sent_at, r.report_key,
                   r.received_at, r.keep_samples, r.idx
            FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $17::bool[])
                 WITH ORDINALITY AS r (host, boot_id, sender, sent_at, report_key, received_at, keep_samples, idx)
        ), h AS (
            INSERT INTO hosts (name, boot_id, sender, first_seen, last_report_at, last_sent_at)
            SELECT DISTINCT ON (host) host, boot_id, sender, received_at, received_at, sent_at
            FROM rep ORDER BY host, sent_at DESC
            ON CONFLICT (name) DO UPDATE SET
                boot_id = coalesce(EXCLUDED.boot_id, hosts.boot_id), sender = coalesce(EXCLUDED.sender, hosts.sender),
                last_report_at = greatest(hosts.last_report_at, EXCLUDED.last_report_at),
                last_sent_at = greatest(hosts.last_sent_at, EXCLUDED.last_sent_at)
            RETURNING id, name
        ), k AS (
            INSERT INTO ingested_reports (host_id, report_key, received_at)
            SELECT DISTINCT ON (h.id, rep.report_key) h.id, rep.report_key, rep.received_at FROM rep JOIN h ON h.name = rep.host
            ON CONFLICT DO NOTHING
            RETURNING host_id, report_key
        ), fresh AS (
            -- The first report of each new key; a copy of it later in the batch is a retry.
            SELECT DISTINCT ON (k.host_id, k.report_key) rep.idx, rep.sent_at, rep.received_at, rep.keep_samples, k.host_id
            FROM k JOIN h ON h.id = k.host_id JOIN rep ON rep.host = h.name AND rep.report_key = k.report_key
            ORDER BY k.host_id, k.report_key, rep.idx
        ), o AS (
            SELECT fresh.host_id, fresh.sent_at, fresh.received_at, fresh.keep_samples, fresh.idx, o.name, o.kind, NULLIF(o.value, 'NaN') AS value,
                   NULLIF(o.unit, '') AS unit, NULLIF(o.status, '') AS status, NULLIF(o.error, '') AS error,
                   NULLIF(o.details, '')::jsonb AS details,
                   NULLIF(o.every_seconds, -1) AS every_seconds, NULLIF(o.grace_seconds, -1) AS grace_seconds
            FROM unnest($7::int8[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[],
                        $14::text[], $15::int8[], $16::int8[])
                 AS o (idx, name, kind, value, unit, status, error, details, every_seconds, grace_seconds)
            JOIN fresh ON fresh.idx = o.idx
        ), c AS (
            INSERT INTO checks (host_id, name, kind, value, unit, status, error, details, since, last_seen,
                                observed_at, every_seconds, grace_seconds)
            SELECT DISTINCT ON (host_id, name) host_id, name, kind, value, unit, status, error, details,
                   received_at, received_at, sent_at, every_seconds, grace_seconds
            FROM o ORDER BY host_id, name, sent_at DESC
            ON CONFLICT (host_id, name) DO UPDATE SET
                kind = EXCLUDED.kind, value = EXCLUDED.value, unit = EXCLUDED.unit, status = EXCLUDED.status,
                error = EXCLUDED.error, details = EXCLUDED.details, last_seen = EXCLUDED.last_seen,
                observed_at = EXCLUDED.observed_at,
                every_seconds = coalesce(EXCLUDED.every_seconds, checks.every_seconds),
                grace_seconds = coalesce(EXCLUDED.grace_seconds, checks.grace_seconds)
            WHERE EXCLUDED.observed_at >= checks.observed_at
            RETURNING id, host_id, name, state, notified_state, flapping_since IS NOT NULL AS flapping, since = last_seen AS is_new
        ), si AS (
            -- Checks this statement wrote come from c; those it left (an older report) from the
            -- table as it was before the statement, one index look-up each (a join would hash
            -- the whole table on every statement).
            SELECT * FROM (
                SELECT coalesce(c.id, (SELECT e.id FROM checks e WHERE e.host_id = o.host_id AND e.name = o.name)) AS check_id,
                       o.sent_at, o.value, o.idx
                FROM o LEFT JOIN c ON c.host_id = o.host_id AND c.name = o.name
                WHERE o.value IS NOT NULL AND o.keep_samples
            ) found WHERE check_id IS NOT NULL
        ), s AS (
            INSERT INTO samples (check_id, at, value)
            SELECT check_id, sent_at, value FROM si
            ON CONFLICT DO NOTHING
            RETURNING check_id, at
        )
        SELECT rep.idx, fresh.idx IS NOT NULL, coalesce(n.samples, 0), NULL::int8, NULL::text, NULL::text, NULL::text, NULL::text, false, false
        FROM rep LEFT JOIN fresh ON fresh.idx = rep.idx
        LEFT JOIN (SELECT si.idx, count(*) AS samples FROM si JOIN s ON s.check_id = si.check_id AND s.at = si.sent_at
                   GROUP BY si.idx) n ON n.idx = rep.idx
        UNION ALL
        -- Every check written, for the evaluator.
        SELECT 0, false, 0, c.id, h.name, c.name, c.state, c.notified_state, c.flapping, c.is_new FROM c JOIN h ON h.id = c.host_id
        """

    /// Each report with when it arrived and whether its samples are within retention.
    var reports: [(rows: ReportRows, receivedAt: Date, keepSamples: Bool)]

    func makeBindings() throws -> PostgresBindings {
        // PostgresNIO encodes no NULLs inside arrays: NaN, "" and -1 stand for NULL and NULLIF restores it.
        var binds = PostgresBindings(capacity: 17)
        binds.append(reports.map(\.rows.host))
        binds.append(reports.map { $0.rows.bootId ?? "" })
        binds.append(reports.map { $0.rows.sender ?? "" })
        binds.append(reports.map(\.rows.sentAt))
        binds.append(reports.map(\.rows.dedupKey))
        binds.append(reports.map(\.receivedAt))
        var index: [Int64] = [], names: [String] = [], kinds: [String] = [], values: [Double] = []
        var units: [String] = [], statuses: [String] = [], errors: [String] = [], details: [String] = []
        var every: [Int] = [], grace: [Int] = []
        for (position, report) in reports.enumerated() {
            let rows = report.rows
            index += Array(repeating: Int64(position + 1), count: rows.names.count)
            names += rows.names
            kinds += rows.kinds
            values += rows.values.map { $0 ?? .nan }
            units += rows.units.map { $0 ?? "" }
            statuses += rows.statuses.map { $0 ?? "" }
            errors += rows.errors.map { $0 ?? "" }
            details += rows.details.map { $0 ?? "" }
            every += rows.every.map { $0 ?? -1 }
            grace += rows.grace.map { $0 ?? -1 }
        }
        binds.append(index)
        binds.append(names)
        binds.append(kinds)
        binds.append(values)
        binds.append(units)
        binds.append(statuses)
        binds.append(errors)
        binds.append(details)
        binds.append(every)
        binds.append(grace)
        binds.append(reports.map(\.keepSamples))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }

    /// The outcome of each report, in the order given, and the checks written.
    static func apply(_ reports: [(rows: ReportRows, receivedAt: Date, keepSamples: Bool)], on connection: PostgresConnection, logger: Logger) async throws -> (outcomes: [IngestOutcome], checks: [AlertEvaluator.Written]) {
        var outcomes = [IngestOutcome?](repeating: nil, count: reports.count)
        var checks: [AlertEvaluator.Written] = []
        let statement = PostgresIngestBatch(reports: reports)
        for try await (index, fresh, samples, check, host, name, state, notified, flapping, isNew) in try await connection.execute(statement, logger: logger) {
            if let check {
                checks.append(AlertEvaluator.Written(
                    id: check, host: host ?? "", name: name ?? "", state: state.flatMap(CheckState.init(rawValue:)) ?? .ok,
                    notifiedState: notified.flatMap(CheckState.init(rawValue:)) ?? .ok, flapping: flapping, isNew: isNew))
                continue
            }
            guard index >= 1, index <= reports.count else { continue }
            outcomes[Int(index) - 1] = fresh ? .stored(samples: Int(samples)) : .duplicate
        }
        let complete = try outcomes.map { outcome in
            guard let outcome else { throw StoreError.unavailable("the ingest statement did not answer for every report") }
            return outcome
        }
        return (complete, checks)
    }
}
