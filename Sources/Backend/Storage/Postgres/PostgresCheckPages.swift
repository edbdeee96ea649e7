import Foundation
import PostgresNIO

extension PostgresStore {
    func checkCounts(host: String?, tag: String?) async throws -> [String: CheckCounts] {
        var binds = PostgresBindings()
        binds.append(host)
        binds.append(tag)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT h.name, c.state, count(*)::bigint FROM checks c JOIN hosts h ON h.id = c.host_id
            WHERE ($1::text IS NULL OR h.name = $1) AND ($2::text IS NULL OR \(CheckPageSQL.hasTag(find: "strpos", tag: "$2::text")))
            GROUP BY h.name, c.state
            """, binds: binds), logger: logger)
        var counts: [String: CheckCounts] = [:]
        for try await (host, state, count) in rows.decode((String, String, Int64).self) {
            guard let state = CheckState(rawValue: state) else { continue }
            counts[host, default: CheckCounts()].add(state, Int(count))
        }
        return counts
    }

    func checksPage(host: String?, tag: String?, state: CheckState?, offset: Int, limit: Int) async throws -> [CheckRecord] {
        // The page's checks are picked first, and only they are joined to their hosts' latest
        // reports: the order needs no values, and picking out each check's values cost as much as
        // the rest of the query.
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(LatestColumns.record) FROM (
                SELECT c.id FROM checks c JOIN hosts h ON h.id = c.host_id
                WHERE ($1::text IS NULL OR h.name = $1) AND ($2::text IS NULL OR c.state = $2)
                  AND ($5::text IS NULL OR \(CheckPageSQL.hasTag(find: "strpos", tag: "$5::text")))
                ORDER BY \(CheckPageSQL.order) LIMIT $3 OFFSET $4
            ) page JOIN checks c ON c.id = page.id \(LatestColumns.joins)
            ORDER BY \(CheckPageSQL.order)
            """, binds: {
                var binds = PostgresBindings()
                binds.append(host)
                binds.append(state?.rawValue)
                binds.append(limit)
                binds.append(offset)
                binds.append(tag)
                return binds
            }()), logger: logger)
        var checks: [CheckRecord] = []
        for try await row in rows {
            checks.append(try CheckRecord(postgres: row.makeRandomAccess()))
        }
        return checks
    }
}
