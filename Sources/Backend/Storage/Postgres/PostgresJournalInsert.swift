import Foundation
import Logging
import PostgresNIO

/// A batch of journal entries in one statement: unnest'ed arrays, `ON CONFLICT DO NOTHING` on the
/// entry's identity, so a resent batch stores nothing twice. A prepared statement, planned once
/// per pooled connection.
struct PostgresJournalInsert: PostgresPreparedStatement {
    typealias Row = Int64

    static let sql = """
        WITH ins AS (
            INSERT INTO journal_entries (host, at, boot_id, seqnum, cursor, unit, identifier, container_name, container_id,
                                         pid, priority, transport, message, message_base64, fields)
            SELECT v.host, timestamptz 'epoch' + v.at_us * interval '1 microsecond', v.boot_id, v.seqnum, v.cursor,
                   NULLIF(v.unit, ''), NULLIF(v.identifier, ''), NULLIF(v.container_name, ''), NULLIF(v.container_id, ''),
                   NULLIF(v.pid, -1)::integer, NULLIF(v.priority, -1)::smallint, NULLIF(v.transport, ''), v.message,
                   NULLIF(v.message_base64, ''), NULLIF(v.fields, '')::jsonb
            FROM unnest($1::text[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::int8[], $11::int8[], $12::text[], $13::text[], $14::text[], $15::text[])
                 AS v (host, at_us, boot_id, seqnum, cursor, unit, identifier, container_name, container_id, pid, priority,
                       transport, message, message_base64, fields)
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT count(*) FROM ins
        """

    var rows: JournalRows

    func makeBindings() throws -> PostgresBindings {
        // PostgresNIO encodes no NULLs inside arrays: "" and -1 stand for NULL and NULLIF restores it.
        var binds = PostgresBindings(capacity: 15)
        binds.append(rows.hosts)
        binds.append(rows.times)
        binds.append(rows.bootIds)
        binds.append(rows.seqnums)
        binds.append(rows.cursors)
        binds.append(rows.units.map { $0 ?? "" })
        binds.append(rows.identifiers.map { $0 ?? "" })
        binds.append(rows.containerNames.map { $0 ?? "" })
        binds.append(rows.containerIds.map { $0 ?? "" })
        binds.append(rows.pids.map { $0.map(Int64.init) ?? -1 })
        binds.append(rows.priorities.map { $0.map(Int64.init) ?? -1 })
        binds.append(rows.transports.map { $0 ?? "" })
        binds.append(rows.messages)
        binds.append(rows.messageBase64.map { $0 ?? "" })
        binds.append(rows.fields.map { $0 ?? "" })
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int64.self)
    }
}
