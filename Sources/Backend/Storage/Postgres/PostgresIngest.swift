import Foundation
import Logging
import PostgresNIO

/// One report in one statement: data-modifying CTEs upsert the host, record the dedup key, upsert
/// every check from unnest'ed arrays and insert the samples. A single statement is its own
/// transaction, so the reply comes only after commit, in one round trip. It is a prepared
/// statement: each pooled connection parses and plans it once.
struct PostgresIngest: PostgresPreparedStatement {
    typealias Row = (Int64, Int64)

    static let sql = """
        WITH h AS (
            INSERT INTO hosts (name, boot_id, sender, first_seen, last_report_at, last_sent_at)
            VALUES ($1::text, $2::text, $3::text, $4::timestamptz, $4::timestamptz, $5::timestamptz)
            ON CONFLICT (name) DO UPDATE SET
                boot_id = coalesce(EXCLUDED.boot_id, hosts.boot_id), sender = coalesce(EXCLUDED.sender, hosts.sender),
                last_report_at = greatest(hosts.last_report_at, EXCLUDED.last_report_at),
                last_sent_at = greatest(hosts.last_sent_at, EXCLUDED.last_sent_at)
            RETURNING id
        ), r AS (
            INSERT INTO ingested_reports (host_id, report_key, received_at)
            SELECT id, $6::text, $4::timestamptz FROM h
            ON CONFLICT DO NOTHING RETURNING host_id
        ), o AS (
            SELECT o.name, o.kind, NULLIF(o.value, 'NaN') AS value, NULLIF(o.unit, '') AS unit,
                   NULLIF(o.status, '') AS status, NULLIF(o.error, '') AS error,
                   NULLIF(o.details, '')::jsonb AS details,
                   NULLIF(o.every_seconds, -1) AS every_seconds, NULLIF(o.grace_seconds, -1) AS grace_seconds
            FROM unnest($7::text[], $8::text[], $9::float8[], $10::text[], $11::text[], $12::text[], $13::text[],
                        $14::int8[], $15::int8[])
                 AS o (name, kind, value, unit, status, error, details, every_seconds, grace_seconds)
        ), c AS (
            INSERT INTO checks (host_id, name, kind, value, unit, status, error, details, since, last_seen,
                                observed_at, every_seconds, grace_seconds)
            SELECT r.host_id, o.name, o.kind, o.value, o.unit, o.status, o.error, o.details, $4::timestamptz,
                   $4::timestamptz, $5::timestamptz, o.every_seconds, o.grace_seconds
            FROM r CROSS JOIN o
            ON CONFLICT (host_id, name) DO UPDATE SET
                kind = EXCLUDED.kind, value = EXCLUDED.value, unit = EXCLUDED.unit, status = EXCLUDED.status,
                error = EXCLUDED.error, details = EXCLUDED.details, last_seen = EXCLUDED.last_seen,
                observed_at = EXCLUDED.observed_at,
                every_seconds = coalesce(EXCLUDED.every_seconds, checks.every_seconds),
                grace_seconds = coalesce(EXCLUDED.grace_seconds, checks.grace_seconds)
            WHERE EXCLUDED.observed_at >= checks.observed_at
            RETURNING id, name
        ), s AS (
            -- Checks this statement inserted or updated come from c; an older report's
            -- checks (not updated) are found in the table as it was before the statement.
            INSERT INTO samples (check_id, at, value)
            SELECT coalesce(c.id, existing.id), $5::timestamptz, o.value
            FROM o JOIN r ON true
            LEFT JOIN c ON c.name = o.name
            LEFT JOIN checks existing ON existing.host_id = r.host_id AND existing.name = o.name
            WHERE o.value IS NOT NULL AND coalesce(c.id, existing.id) IS NOT NULL AND $5::timestamptz >= $16::timestamptz
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM s)
        """

    var rows: ReportRows
    var receivedAt: Date
    var sampleCutoff: Date

    func makeBindings() throws -> PostgresBindings {
        // PostgresNIO encodes no NULLs inside arrays: NaN, "" and -1 stand for NULL and NULLIF restores it.
        var binds = PostgresBindings(capacity: 16)
        binds.append(rows.host)
        binds.append(rows.bootId)
        binds.append(rows.sender)
        binds.append(receivedAt)
        binds.append(rows.sentAt)
        binds.append(rows.dedupKey)
        binds.append(rows.names)
        binds.append(rows.kinds)
        binds.append(rows.values.map { $0 ?? .nan })
        binds.append(rows.units.map { $0 ?? "" })
        binds.append(rows.statuses.map { $0 ?? "" })
        binds.append(rows.errors.map { $0 ?? "" })
        binds.append(rows.details.map { $0 ?? "" })
        binds.append(rows.every.map { $0 ?? -1 })
        binds.append(rows.grace.map { $0 ?? -1 })
        binds.append(sampleCutoff)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }

    static func apply(_ rows: ReportRows, receivedAt: Date, sampleCutoff: Date, client: PostgresClient, logger: Logger) async throws -> IngestOutcome {
        let statement = PostgresIngest(rows: rows, receivedAt: receivedAt, sampleCutoff: sampleCutoff)
        for try await (fresh, samples) in try await client.execute(statement, logger: logger) {
            return fresh == 0 ? .duplicate : .stored(samples: Int(samples))
        }
        throw StoreError.unavailable("the ingest statement returned no row")
    }
}
