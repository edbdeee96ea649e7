import Foundation
import Logging
import PostgresNIO

/// The checks of a batch that `PostgresIngestBatch` left without an id: new checks, checks whose
/// interval or grace changes, and those of reports that are not their host's newest. Rare, so it
/// may answer with names. A check in several reports of the batch is written once, with the
/// newest report's values, the later position on a tie. A late report leaves a row as it is when
/// the row holds newer values; when its host's latest report names the check, reads show that
/// newer report whatever the row holds (`LatestColumns`).
struct PostgresCheckInsert: PostgresPreparedStatement {
    typealias Row = (Int64, Int64, String, Int64, Bool)

    static let sql = """
        INSERT INTO checks (host_id, name, kind, value, unit, status, error, details, since, last_seen,
                            observed_at, every_seconds, grace_seconds)
        SELECT DISTINCT ON (host_id, name) host_id, name, kind, NULLIF(value, 'NaN'), NULLIF(unit, ''), NULLIF(status, ''),
               NULLIF(error, ''), NULLIF(details, '')::jsonb, received_at, received_at, sent_at,
               NULLIF(every_seconds, -1), NULLIF(grace_seconds, -1)
        FROM unnest($1::int8[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::int8[], $10::int8[], $11::timestamptz[], $12::timestamptz[])
             WITH ORDINALITY AS o (host_id, name, kind, value, unit, status, error, details, every_seconds, grace_seconds,
                                   sent_at, received_at, position)
        ORDER BY host_id, name, sent_at DESC, position DESC
        \(CheckUpsert.onConflict)
        RETURNING id, host_id, name, \(CheckFlags.sql(table: "checks")), since = last_seen AS is_new
        """

    var hostIDs: [Int64] = []
    var columns = ObservationColumns()
    var sentAt: [Date] = []
    var receivedAt: [Date] = []

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 12)
        binds.append(PostgresArray(hostIDs))
        columns.bind(into: &binds)
        binds.append(sentAt)
        binds.append(receivedAt)
        return binds
    }

    /// Cell by cell: a tuple decode instantiates type metadata for every row, and a thousand new
    /// hosts bring tens of thousands of new checks at once.
    func decodeRow(_ row: PostgresRow) throws -> Row {
        var cells = row.makeIterator()
        guard let id = cells.next(), let host = cells.next(), let name = cells.next(), let flags = cells.next(), let isNew = cells.next() else {
            return try row.decode(Row.self)
        }
        return (try id.decode(Int64.self), try host.decode(Int64.self), try name.decode(String.self), try flags.decode(Int64.self), try isNew.decode(Bool.self))
    }

    private struct Key: Hashable {
        var hostID: Int64
        var name: String
    }

    /// Writes the checks without an id yet and fills in their ids; answers the checks written.
    /// An observation whose check the batch statement updated for a newer report of the same
    /// host takes that id. A check a newer report holds keeps no id here; its samples look it up.
    static func apply(_ reports: PostgresIngestBatch.Reports, positions: inout ObservationPositions, on connection: PostgresConnection, logger: Logger) async throws -> [WrittenCheck] {
        var known: [Key: Int64] = [:]
        for report in reports.indices {
            guard let hostID = positions.hostIDs[report] else { continue }
            let range = positions.range(of: report)
            for position in range {
                guard let id = positions.ids[position] else { continue }
                known[Key(hostID: hostID, name: reports[report].rows.names[position - range.lowerBound])] = id
            }
        }
        var statement = PostgresCheckInsert()
        var waiting: [Key: [Int]] = [:]
        var hostNames: [Int64: String] = [:]
        // The newest report of each check written here: what the evaluator sees of it.
        var newest: [Key: (report: Int, item: Int)] = [:]
        for report in reports.indices {
            guard let hostID = positions.hostIDs[report] else { continue }
            let (rows, received, _) = reports[report]
            let range = positions.range(of: report)
            for position in range where positions.ids[position] == nil {
                let item = position - range.lowerBound
                let key = Key(hostID: hostID, name: rows.names[item])
                if let id = known[key] {
                    positions.ids[position] = id
                    continue
                }
                waiting[key, default: []].append(position)
                if let (seen, _) = newest[key], reports[seen].rows.sentAt > rows.sentAt {} else { newest[key] = (report, item) }
                hostNames[hostID] = rows.host
                statement.hostIDs.append(hostID)
                statement.columns.append(rows, item)
                statement.sentAt.append(rows.sentAt)
                statement.receivedAt.append(received)
            }
        }
        guard !statement.hostIDs.isEmpty else { return [] }
        var written: [WrittenCheck] = []
        for try await (id, hostID, name, flags, isNew) in try await connection.execute(statement, logger: logger) {
            for position in waiting[Key(hostID: hostID, name: name)] ?? [] { positions.ids[position] = id }
            guard let (report, item) = newest[Key(hostID: hostID, name: name)] else { throw StoreError.unavailable("a check was written that no report holds") }
            let reported = reports[report].rows.record(item, receivedAt: reports[report].receivedAt)
            written.append(CheckFlags.written(
                id: id, host: hostNames[hostID] ?? "", name: name, flags: flags, isNew: isNew, reported: reported, hostTags: reports[report].rows.tagList))
        }
        return written
    }
}
