import Foundation
import Logging
import PostgresNIO

/// The samples of a batch's new reports, after `PostgresIngestBatch` has written their checks, so
/// every check id is found by its unique index: one row per report, with its checks' ids and
/// values in the report's order. Answers how many were stored per host and time, which names the
/// report (a report is one host at one time).
struct PostgresSampleInsert: PostgresPreparedStatement {
    typealias Row = (Int64, Date, Int64)

    static let sql = """
        INSERT INTO report_samples (host_id, at, check_ids, check_values)
        SELECT host_id, at, array_agg(id ORDER BY position), array_agg(value ORDER BY position)
        FROM (
            -- Two new reports of one host at one time keep one value per check: the first's.
            SELECT DISTINCT ON (t.host_id, t.at, c.id) t.host_id, t.at, c.id, t.value, t.position
            FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::float8[]) WITH ORDINALITY AS t (host_id, name, at, value, position)
            JOIN checks c ON c.host_id = t.host_id AND c.name = t.name
            ORDER BY t.host_id, t.at, c.id, t.position
        ) found
        GROUP BY host_id, at
        ON CONFLICT DO NOTHING
        RETURNING host_id, at, cardinality(check_ids)::int8
        """

    var hostIDs: [Int64] = []
    var names: [String] = []
    var times: [Date] = []
    var values: [Double] = []

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 4)
        binds.append(hostIDs)
        binds.append(names)
        binds.append(times)
        binds.append(values)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try Self.stored(row)
    }

    /// Samples stored per report; a duplicate report stores none. When every sample's check id
    /// is known, the rows go in as they are, without looking a check up.
    static func apply(_ reports: PostgresIngestBatch.Reports, positions: ObservationPositions, on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        var direct = PostgresReportSampleInsert()
        var complete = true
        for (index, report) in reports.enumerated() {
            guard let hostID = positions.hostIDs[index], report.keepSamples else { continue }
            let range = positions.range(of: index)
            var idList: [String] = [], valueList: [String] = []
            for (position, value) in zip(range, report.rows.values) {
                guard let value else { continue }
                if let id = positions.ids[position] { idList.append(String(id)) } else { complete = false }
                valueList.append(value.description)
            }
            guard !valueList.isEmpty else { continue }
            direct.hostIDs.append(hostID)
            direct.times.append(report.rows.sentAt)
            direct.ids.append("{" + idList.joined(separator: ",") + "}")
            direct.values.append("{" + valueList.joined(separator: ",") + "}")
        }
        var stored = [Int](repeating: 0, count: reports.count)
        guard !direct.hostIDs.isEmpty else { return stored }
        // Two new reports of one host at one time share their samples: the first is credited.
        // Times come back rounded to PostgreSQL's microseconds, so they match within a millisecond.
        var reportsOf: [Int64: [Int]] = [:]
        for (index, report) in reports.enumerated() {
            guard let hostID = positions.hostIDs[index], report.keepSamples else { continue }
            reportsOf[hostID, default: []].append(index)
        }
        func credit(_ hostID: Int64, _ at: Date, _ count: Int64) {
            let match = reportsOf[hostID]?.first { abs(reports[$0].rows.sentAt.timeIntervalSince(at)) < 0.001 }
            if let match { stored[match] += Int(count) }
        }
        if complete {
            for try await (hostID, at, count) in try await connection.execute(direct, logger: logger) { credit(hostID, at, count) }
        } else {
            // A check a newer report holds was not written: look ids up by name.
            var statement = PostgresSampleInsert()
            for (index, report) in reports.enumerated() {
                guard let hostID = positions.hostIDs[index], report.keepSamples else { continue }
                for (name, value) in zip(report.rows.names, report.rows.values) {
                    guard let value else { continue }
                    statement.hostIDs.append(hostID)
                    statement.names.append(name)
                    statement.times.append(report.rows.sentAt)
                    statement.values.append(value)
                }
            }
            for try await (hostID, at, count) in try await connection.execute(statement, logger: logger) { credit(hostID, at, count) }
        }
        return stored
    }
}

extension PostgresSampleInsert {
    /// A report's samples stored, `(host_id, at, count)`, cell by cell: a tuple decode
    /// instantiates type metadata for every row.
    static func stored(_ row: PostgresRow) throws -> Row {
        var cells = row.makeIterator()
        guard let host = cells.next(), let at = cells.next(), let count = cells.next() else { return try row.decode(Row.self) }
        return (try host.decode(Int64.self), try at.decode(Date.self), try count.decode(Int64.self))
    }
}

/// Report rows of samples whose check ids are known: ids and values as array text, one row each.
struct PostgresReportSampleInsert: PostgresPreparedStatement {
    typealias Row = (Int64, Date, Int64)

    static let sql = """
        INSERT INTO report_samples (host_id, at, check_ids, check_values)
        SELECT t.host_id, t.at, t.ids::int8[], t.vals::float8[]
        FROM unnest($1::int8[], $2::timestamptz[], $3::text[], $4::text[]) AS t (host_id, at, ids, vals)
        ON CONFLICT DO NOTHING
        RETURNING host_id, at, cardinality(check_ids)::int8
        """

    var hostIDs: [Int64] = []
    var times: [Date] = []
    var ids: [String] = []
    var values: [String] = []

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 4)
        binds.append(PostgresArray(hostIDs))
        binds.append(times)
        binds.append(PostgresArray(ids))
        binds.append(PostgresArray(values))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try PostgresSampleInsert.stored(row)
    }
}
