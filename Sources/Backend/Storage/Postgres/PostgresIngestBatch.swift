import Foundation
import Logging
import PostgresNIO

/// Several reports in one statement, the batches `ReportBatcher` gathers: per report a row of
/// host, boot id, sender, time and dedup key; per observation a row tagged with its report's
/// position. The answer also names every check written, which the evaluator then looks at in the
/// same transaction. DISTINCT ON keeps one row per host and per check (the newest report's), as an
/// upsert may touch a row once per statement. Answers per report: whether it was new, and its host.
/// The samples follow in `PostgresSampleInsert`: joining this statement's CTEs to each other
/// would be planned as nested loops (the planner guesses one row for each), quadratic in the batch.
struct PostgresIngestBatch: PostgresPreparedStatement {
    typealias Row = (Int64, Bool, Int64?, Int64?, String?, String?, String?, String?, Bool, Bool)

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
        )
        SELECT rep.idx, fresh.idx IS NOT NULL, fresh.host_id, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::text, false, false
        FROM rep LEFT JOIN fresh ON fresh.idx = rep.idx
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
        var hostIDs = [Int64?](repeating: nil, count: reports.count)
        var answered = [Bool](repeating: false, count: reports.count)
        var checks: [AlertEvaluator.Written] = []
        let statement = PostgresIngestBatch(reports: reports)
        for try await (index, fresh, hostID, check, host, name, state, notified, flapping, isNew) in try await connection.execute(statement, logger: logger) {
            if let check {
                checks.append(AlertEvaluator.Written(
                    id: check, host: host ?? "", name: name ?? "", state: state.flatMap(CheckState.init(rawValue:)) ?? .ok,
                    notifiedState: notified.flatMap(CheckState.init(rawValue:)) ?? .ok, flapping: flapping, isNew: isNew))
                continue
            }
            guard index >= 1, index <= reports.count else { continue }
            answered[Int(index) - 1] = true
            if fresh { hostIDs[Int(index) - 1] = hostID }
        }
        guard !answered.contains(false) else { throw StoreError.unavailable("the ingest statement did not answer for every report") }
        var known: [String: [String: Int64]] = [:]
        for check in checks { known[check.host, default: [:]][check.name] = check.id }
        let stored = try await PostgresSampleInsert.apply(reports, hostIDs: hostIDs, known: known, on: connection, logger: logger)
        let outcomes = hostIDs.indices.map { hostIDs[$0] == nil ? IngestOutcome.duplicate : .stored(samples: stored[$0]) }
        return (outcomes, checks)
    }

    /// Stores a batch in one transaction with the threshold flips it causes, and lets the
    /// evaluator act on them after the commit.
    static func store(_ batch: [ReportBatcher.Pending], client: PostgresClient, evaluator: AlertEvaluator, logger: Logger, sampleCutoff: (Date) -> Date) async throws -> [IngestOutcome] {
        let reports = batch.map { (rows: $0.rows, receivedAt: $0.receivedAt, keepSamples: $0.rows.sentAt >= sampleCutoff($0.receivedAt)) }
        let (outcomes, evaluation) = try await client.withTransaction(logger: logger) { connection in
            let (outcomes, checks) = try await apply(reports, on: connection, logger: logger)
            // Threshold flips in the same transaction as the values that caused them.
            let evaluation = try await evaluator.evaluate(written: checks, batch: batch, in: PostgresAlertTransaction(connection: connection, logger: logger))
            return (outcomes, evaluation)
        }
        evaluator.committed(evaluation)
        return outcomes
    }
}
