import Foundation
import Logging
import PostgresNIO

/// Several reports in one statement, the batches `ReportBatcher` gathers: per report a row of
/// host, boot id, sender, time and dedup key; per observation a row tagged with its report's
/// position. Checks that exist are updated in place: an UPDATE can answer with its source row's
/// position, so the answer is three integers a row and no names come back. Checks it did not
/// update (new, or holding a newer report's values) go through `PostgresCheckInsert`, which is
/// rare. DISTINCT ON keeps one row per check (the newest report's, the later position on a tie).
/// Answers per report `(-index, host id or 0 for a duplicate, 0)` and per check updated
/// `(position, id, state flags)`. The samples follow in `PostgresSampleInsert`: joining this
/// statement's CTEs to each other would be planned as nested loops (the planner guesses one row
/// for each), quadratic in the batch.
struct PostgresIngestBatch: PostgresPreparedStatement {
    typealias Row = (Int64, Int64, Int64)

    static let sql = """
        WITH rep AS (
            SELECT r.host, NULLIF(r.boot_id, '') AS boot_id, NULLIF(r.sender, '') AS sender, r.sent_at, r.report_key,
                   r.received_at, r.idx
            FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[])
                 WITH ORDINALITY AS r (host, boot_id, sender, sent_at, report_key, received_at, idx)
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
            SELECT DISTINCT ON (k.host_id, k.report_key) rep.idx, rep.sent_at, rep.received_at, k.host_id
            FROM k JOIN h ON h.id = k.host_id JOIN rep ON rep.host = h.name AND rep.report_key = k.report_key
            ORDER BY k.host_id, k.report_key, rep.idx
        ), o AS (
            SELECT DISTINCT ON (fresh.host_id, o.name) fresh.host_id, fresh.sent_at, fresh.received_at, o.position, o.name, o.kind,
                   NULLIF(o.value, 'NaN') AS value, NULLIF(o.unit, '') AS unit, NULLIF(o.status, '') AS status,
                   NULLIF(o.error, '') AS error, NULLIF(o.details, '')::jsonb AS details,
                   NULLIF(o.every_seconds, -1) AS every_seconds, NULLIF(o.grace_seconds, -1) AS grace_seconds
            FROM unnest($7::int8[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[],
                        $14::text[], $15::int8[], $16::int8[])
                 WITH ORDINALITY AS o (idx, name, kind, value, unit, status, error, details, every_seconds, grace_seconds, position)
            JOIN fresh ON fresh.idx = o.idx
            ORDER BY fresh.host_id, o.name, fresh.sent_at DESC, o.position DESC
        ), c AS (
            UPDATE checks SET
                kind = o.kind, value = o.value, unit = o.unit, status = o.status, error = o.error, details = o.details,
                last_seen = o.received_at, observed_at = o.sent_at,
                every_seconds = coalesce(o.every_seconds, checks.every_seconds),
                grace_seconds = coalesce(o.grace_seconds, checks.grace_seconds)
            FROM o
            WHERE checks.host_id = o.host_id AND checks.name = o.name AND o.sent_at >= checks.observed_at
            RETURNING o.position, checks.id, \(CheckFlags.sql(table: "checks"))
        )
        SELECT -rep.idx, coalesce(fresh.host_id, 0), 0::int8 FROM rep LEFT JOIN fresh ON fresh.idx = rep.idx
        UNION ALL
        SELECT position, id, flags FROM c
        """

    typealias Reports = [(rows: ReportRows, receivedAt: Date, keepSamples: Bool)]

    /// Each report with when it arrived and whether its samples are within retention.
    var reports: Reports

    func makeBindings() throws -> PostgresBindings {
        // PostgresNIO encodes no NULLs inside arrays: "" stands for NULL and NULLIF restores it.
        var binds = PostgresBindings(capacity: 16)
        binds.append(PostgresArray(reports.map(\.rows.host)))
        binds.append(PostgresArray(reports.map { $0.rows.bootId ?? "" }))
        binds.append(PostgresArray(reports.map { $0.rows.sender ?? "" }))
        binds.append(reports.map(\.rows.sentAt))
        binds.append(PostgresArray(reports.map(\.rows.dedupKey)))
        binds.append(reports.map(\.receivedAt))
        let total = reports.reduce(0) { $0 + $1.rows.names.count }
        var index: [Int64] = []
        index.reserveCapacity(total)
        var columns = ObservationColumns(capacity: total)
        for (position, report) in reports.enumerated() {
            for item in report.rows.names.indices {
                index.append(Int64(position + 1))
                columns.append(report.rows, item)
            }
        }
        binds.append(PostgresArray(index))
        columns.bind(into: &binds)
        return binds
    }

    /// Cell by cell: a tuple decode instantiates type metadata for every row, which showed in
    /// ingest's profile.
    func decodeRow(_ row: PostgresRow) throws -> Row {
        var cells = row.makeIterator()
        guard let first = cells.next(), let second = cells.next(), let third = cells.next() else { return try row.decode(Row.self) }
        return (try first.decode(Int64.self), try second.decode(Int64.self), try third.decode(Int64.self))
    }

    /// The outcome of each report, in the order given, and the checks written.
    static func apply(_ reports: Reports, on connection: PostgresConnection, logger: Logger) async throws -> (outcomes: [IngestOutcome], checks: [AlertEvaluator.Written]) {
        var positions = ObservationPositions(reports.map(\.rows))
        var answered = [Bool](repeating: false, count: reports.count)
        var checks: [AlertEvaluator.Written] = []
        for try await (first, second, flags) in try await connection.execute(PostgresIngestBatch(reports: reports), logger: logger) {
            if first < 0 {
                let index = Int(-first) - 1
                guard index < reports.count else { continue }
                answered[index] = true
                if second != 0 { positions.hostIDs[index] = second }
            } else {
                let position = Int(first) - 1
                guard position < positions.ids.count else { continue }
                positions.ids[position] = second
                let (report, item) = positions.owner(of: position)
                let (rows, receivedAt, _) = reports[report]
                var written = CheckFlags.written(id: second, host: rows.host, name: rows.names[item], flags: flags, isNew: false)
                // The position is the newest report's of this check in the batch (DISTINCT ON).
                written.reported = rows.record(item, receivedAt: receivedAt)
                checks.append(written)
            }
        }
        guard !answered.contains(false) else { throw StoreError.unavailable("the ingest statement did not answer for every report") }
        if positions.anyMissing {
            checks += try await PostgresCheckInsert.apply(reports, positions: &positions, on: connection, logger: logger)
        }
        let stored = try await PostgresSampleInsert.apply(reports, positions: positions, on: connection, logger: logger)
        let outcomes = reports.indices.map { positions.hostIDs[$0] == nil ? IngestOutcome.duplicate : .stored(samples: stored[$0]) }
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
