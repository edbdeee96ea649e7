import Foundation
import Logging
import PostgresNIO

/// Several reports in one statement, the batches `ReportBatcher` gathers: per report a row of
/// host, boot id, sender, time, dedup key and where its observations lie in the observation
/// arrays. Each host's newest new report becomes its row in `host_latest` (see `LatestColumns`):
/// one row written per host, not one per check. The answer is per report `(-index, host id or 0
/// for a duplicate)`, then per report that became its host's latest `(index, host id)` and its
/// host's checks, read by host, as arrays of names, ids, state flags, intervals and graces: the
/// evaluator needs each check's state, and arrays spare a row per check. Observations this leaves
/// without a check id (new checks, a changed interval, reports that are not their host's newest)
/// go through `PostgresCheckInsert`, which is rare.
/// The samples follow in `PostgresSampleInsert`: joining this statement's CTEs to each other
/// would be planned as nested loops (the planner guesses one row for each), quadratic in the batch.
struct PostgresIngestBatch: PostgresPreparedStatement {
    typealias Row = (Int64, Int64, [String], [Int64], [Int64], [Int64], [Int64])

    static let sql = """
        WITH rep AS (
            SELECT r.host, NULLIF(r.boot_id, '') AS boot_id, NULLIF(r.sender, '') AS sender, r.sent_at, r.report_key,
                   r.received_at, r.first::int4, r.last::int4, NULLIF(r.clock_offset, 'NaN') AS clock_offset, r.idx,
                   -- '' stands for a report that does not tell its tags; told ones come after '='.
                   CASE WHEN r.tags = '' THEN NULL ELSE substr(r.tags, 2) END AS tags
            FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::int8[], $8::int8[],
                        $16::float8[], $17::text[])
                 WITH ORDINALITY AS r (host, boot_id, sender, sent_at, report_key, received_at, first, last, clock_offset, tags, idx)
        ), latest AS (
            -- Per host the newest report's boot id and sender.
            SELECT DISTINCT ON (host) host, boot_id, sender, received_at, sent_at FROM rep ORDER BY host, sent_at DESC
        ), tagged AS (
            -- Per host the newest report that tells its tags.
            SELECT DISTINCT ON (host) host, tags, sent_at AS tags_at FROM rep WHERE tags IS NOT NULL ORDER BY host, sent_at DESC, idx DESC
        ), known AS (
            SELECT hosts.id, hosts.name, hosts.boot_id, hosts.sender, hosts.tags, hosts.tags_at FROM hosts WHERE hosts.name = ANY($1::text[])
        ), added AS (
            INSERT INTO hosts (name, boot_id, sender, tags, tags_at, first_seen, last_report_at, last_sent_at)
            SELECT latest.host, boot_id, sender, tagged.tags, tagged.tags_at, received_at, received_at, sent_at
            FROM latest LEFT JOIN tagged ON tagged.host = latest.host
            WHERE NOT EXISTS (SELECT FROM known WHERE known.name = latest.host)
            ON CONFLICT (name) DO UPDATE SET
                boot_id = coalesce(EXCLUDED.boot_id, hosts.boot_id), sender = coalesce(EXCLUDED.sender, hosts.sender),
                tags = CASE WHEN EXCLUDED.tags_at >= coalesce(hosts.tags_at, '-infinity') THEN EXCLUDED.tags ELSE hosts.tags END,
                tags_at = CASE WHEN EXCLUDED.tags_at >= coalesce(hosts.tags_at, '-infinity') THEN EXCLUDED.tags_at ELSE hosts.tags_at END,
                last_report_at = greatest(hosts.last_report_at, EXCLUDED.last_report_at),
                last_sent_at = greatest(hosts.last_sent_at, EXCLUDED.last_sent_at)
            RETURNING id, name
        ), h AS (
            SELECT id, name FROM known UNION ALL SELECT id, name FROM added
        ), k AS (
            INSERT INTO ingested_reports (host_id, report_key, received_at)
            SELECT DISTINCT ON (h.id, rep.report_key) h.id, rep.report_key, rep.received_at FROM rep JOIN h ON h.name = rep.host
            ON CONFLICT DO NOTHING
            RETURNING host_id, report_key
        ), fresh AS (
            -- The first report of each new key; a copy of it later in the batch is a retry.
            SELECT DISTINCT ON (k.host_id, k.report_key) rep.idx, rep.sent_at, rep.received_at, rep.first, rep.last, rep.clock_offset, k.host_id
            FROM k JOIN h ON h.id = k.host_id JOIN rep ON rep.host = h.name AND rep.report_key = k.report_key
            ORDER BY k.host_id, k.report_key, rep.idx
        ), newest AS (
            -- Per host the newest new report that names a check, the later one on a tie.
            SELECT DISTINCT ON (host_id) host_id, idx, sent_at, received_at, first, last, clock_offset FROM fresh WHERE last >= first
            ORDER BY host_id, sent_at DESC, idx DESC
        ), l AS (
            INSERT INTO host_latest AS l (host_id, observed_at, last_seen, names, kinds, vals, units, statuses, errors, details, clock_offset)
            SELECT host_id, sent_at, received_at, ($9::text[])[first:last], ($10::text[])[first:last],
                   ($11::float8[])[first:last], ($12::text[])[first:last], ($13::text[])[first:last],
                   ($14::text[])[first:last], ($15::text[])[first:last], clock_offset
            FROM newest
            ON CONFLICT (host_id) DO UPDATE SET
                observed_at = EXCLUDED.observed_at, last_seen = EXCLUDED.last_seen, names = EXCLUDED.names,
                clock_offset = coalesce(EXCLUDED.clock_offset, l.clock_offset),
                kinds = EXCLUDED.kinds, vals = EXCLUDED.vals, units = EXCLUDED.units, statuses = EXCLUDED.statuses,
                errors = EXCLUDED.errors, details = EXCLUDED.details
            WHERE EXCLUDED.observed_at >= l.observed_at
            RETURNING host_id
        ), applied AS (
            SELECT newest.idx, newest.host_id FROM newest JOIN l ON l.host_id = newest.host_id
        ), stale AS (
            -- A known host's row changes with its boot id, sender or tags (told by a report newer
            -- than the one that told them last), or when no report of the batch became its latest
            -- row, whose last_seen otherwise tells its last report.
            SELECT known.id, latest.boot_id, latest.sender, tagged.tags, tagged.tags_at, latest.received_at, latest.sent_at
            FROM latest JOIN known ON known.name = latest.host LEFT JOIN tagged ON tagged.host = latest.host
            WHERE coalesce(latest.boot_id, known.boot_id) IS DISTINCT FROM known.boot_id
               OR coalesce(latest.sender, known.sender) IS DISTINCT FROM known.sender
               OR (tagged.tags_at >= coalesce(known.tags_at, '-infinity') AND tagged.tags IS DISTINCT FROM known.tags)
               OR NOT EXISTS (SELECT FROM applied WHERE applied.host_id = known.id)
        ), moved AS (
            -- By primary key: a join here would be planned as a scan of every host.
            UPDATE hosts SET boot_id = coalesce(stale.boot_id, hosts.boot_id), sender = coalesce(stale.sender, hosts.sender),
                tags = CASE WHEN stale.tags_at >= coalesce(hosts.tags_at, '-infinity') THEN stale.tags ELSE hosts.tags END,
                tags_at = CASE WHEN stale.tags_at >= coalesce(hosts.tags_at, '-infinity') THEN stale.tags_at ELSE hosts.tags_at END,
                last_report_at = greatest(hosts.last_report_at, stale.received_at),
                last_sent_at = greatest(hosts.last_sent_at, stale.sent_at)
            FROM stale WHERE hosts.id = ANY (ARRAY(SELECT id FROM stale)) AND hosts.id = stale.id
        )
        SELECT -rep.idx, coalesce(fresh.host_id, 0), '{}'::text[], '{}'::int8[], '{}'::int8[], '{}'::int8[], '{}'::int8[]
        FROM rep LEFT JOIN fresh ON fresh.idx = rep.idx
        UNION ALL
        SELECT a.idx, a.host_id, array_agg(c.name), array_agg(c.id), array_agg(c.flags), array_agg(c.every), array_agg(c.grace)
        FROM applied a
        JOIN LATERAL (
            SELECT c.id, c.name, \(CheckFlags.sql(table: "c")), coalesce(c.every_seconds, -1)::int8 AS every,
                   coalesce(c.grace_seconds, -1)::int8 AS grace
            FROM checks c WHERE c.host_id = a.host_id
        ) c ON true
        GROUP BY a.idx, a.host_id
        """

    typealias Reports = [(rows: ReportRows, receivedAt: Date, keepSamples: Bool)]

    /// Each report with when it arrived and whether its samples are within retention.
    var reports: Reports

    func makeBindings() throws -> PostgresBindings {
        // PostgresNIO encodes no NULLs inside arrays: "" stands for NULL and NULLIF restores it.
        var binds = PostgresBindings(capacity: 17)
        binds.append(PostgresArray(reports.map(\.rows.host)))
        binds.append(PostgresArray(reports.map { $0.rows.bootId ?? "" }))
        binds.append(PostgresArray(reports.map { $0.rows.sender ?? "" }))
        binds.append(reports.map(\.rows.sentAt))
        binds.append(PostgresArray(reports.map(\.rows.dedupKey)))
        binds.append(reports.map(\.receivedAt))
        let total = reports.reduce(0) { $0 + $1.rows.names.count }
        var first: [Int64] = [], last: [Int64] = []
        first.reserveCapacity(reports.count)
        last.reserveCapacity(reports.count)
        var columns = ObservationColumns(capacity: total)
        for report in reports {
            first.append(Int64(columns.names.count + 1))
            for item in report.rows.names.indices { columns.append(report.rows, item) }
            last.append(Int64(columns.names.count))
        }
        binds.append(PostgresArray(first))
        binds.append(PostgresArray(last))
        columns.bindValues(into: &binds)
        binds.append(PostgresArray(reports.map { $0.rows.clockOffset ?? .nan }))
        binds.append(PostgresArray(reports.map { $0.rows.tags.map { "=" + $0 } ?? "" }))
        return binds
    }

    /// Cell by cell: a tuple decode instantiates type metadata for every row, which showed in
    /// ingest's profile. The arrays hold no NULLs: `array_agg` over columns that are never NULL.
    func decodeRow(_ row: PostgresRow) throws -> Row {
        var cells = row.makeIterator()
        guard let a = cells.next(), let b = cells.next(), let c = cells.next(), let d = cells.next(), let e = cells.next(),
              let f = cells.next(), let g = cells.next() else {
            return try row.decode(Row.self)
        }
        return (try a.decode(Int64.self), try b.decode(Int64.self), try c.decode(PostgresArray<String>.self).elements,
                try d.decode(PostgresArray<Int64>.self).elements, try e.decode(PostgresArray<Int64>.self).elements,
                try f.decode(PostgresArray<Int64>.self).elements, try g.decode(PostgresArray<Int64>.self).elements)
    }

    /// The outcome of each report, in the order given, and the checks written.
    static func apply(_ reports: Reports, on connection: PostgresConnection, logger: Logger) async throws -> (outcomes: [IngestOutcome], checks: [WrittenCheck]) {
        var positions = ObservationPositions(reports.map(\.rows))
        var answered = [Bool](repeating: false, count: reports.count)
        var checks: [WrittenCheck] = []
        for try await (first, hostID, names, ids, flags, every, grace) in try await connection.execute(PostgresIngestBatch(reports: reports), logger: logger) {
            if first < 0 {
                let index = Int(-first) - 1
                guard index < reports.count else { continue }
                answered[index] = true
                if hostID != 0 { positions.hostIDs[index] = hostID }
                continue
            }
            // A report that became its host's latest, and its host's checks.
            let index = Int(first) - 1
            guard index < reports.count, names.count == ids.count, ids.count == flags.count, flags.count == every.count,
                  every.count == grace.count else { continue }
            let (rows, receivedAt, _) = reports[index]
            let range = positions.range(of: index)
            var found: [String: Int] = [:]
            found.reserveCapacity(names.count)
            for (k, name) in names.enumerated() { found[name] = k }
            for item in rows.names.indices {
                // A check whose interval or grace changes keeps no id: its row is written after.
                guard let k = found[rows.names[item]],
                      rows.every[item].map({ Int64($0) == every[k] }) ?? true,
                      rows.grace[item].map({ Int64($0) == grace[k] }) ?? true else { continue }
                positions.ids[range.lowerBound + item] = ids[k]
                checks.append(CheckFlags.written(
                    id: ids[k], host: rows.host, name: rows.names[item], flags: flags[k], isNew: false, reported: rows.record(item, receivedAt: receivedAt),
                    hostTags: rows.tagList))
            }
        }
        guard !answered.contains(false) else { throw StoreError.unavailable("the ingest statement did not answer for every report") }
        if positions.anyMissing {
            checks += try await PostgresCheckInsert.apply(reports, positions: &positions, on: connection, logger: logger)
        }
        let samples = try await PostgresSampleInsert.apply(reports, positions: positions, on: connection, logger: logger)
        let outcomes = reports.indices.map { positions.hostIDs[$0] == nil ? IngestOutcome.duplicate : .stored(samples: samples[$0]) }
        return (outcomes, checks)
    }

    /// Stores a batch in one transaction, with what `evaluate` writes after it.
    static func store<T: Sendable>(
        _ batch: [PendingReport], client: PostgresClient, checkLimit: CheckLimit, logger: Logger, sampleCutoff: (Date) -> Date,
        evaluate: @escaping @Sendable ([WrittenCheck], any AlertTransaction) async throws -> T
    ) async throws -> (outcomes: [IngestOutcome], evaluated: T) {
        let reports = batch.map { (rows: $0.rows, receivedAt: $0.receivedAt, keepSamples: $0.rows.sentAt >= sampleCutoff($0.receivedAt)) }
        return try await client.transaction(logger: logger) { connection in
            let (outcomes, checks) = try await apply(reports, on: connection, logger: logger)
            try await PostgresStore.enforce(checkLimit, hosts: CheckLimit.grownHosts(checks), on: connection, logger: logger)
            let evaluated = try await evaluate(checks, PostgresAlertTransaction(connection: connection, logger: logger))
            for (pending, outcome) in zip(batch, outcomes) where outcome != .duplicate {
                if let ping = pending.rows.ping { try await PostgresStore.insert(ping, on: connection, logger: logger) }
            }
            return (outcomes, evaluated)
        }
    }
}
