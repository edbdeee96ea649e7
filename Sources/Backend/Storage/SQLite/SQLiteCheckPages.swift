import Foundation
import SQLiteNIO

extension SQLiteStore {
    func checkCounts(host: String?, tag: String?) async throws -> [String: CheckCounts] {
        var sql = "SELECT h.name AS host, c.state AS state, count(*) AS n FROM checks c JOIN hosts h ON h.id = c.host_id WHERE 1 = 1"
        var binds: [SQLiteData] = []
        if let host { sql += " AND h.name = ?"; binds.append(.text(host)) }
        if let tag { sql += " AND " + CheckPageSQL.hasTag(find: "instr", tag: "?"); binds.append(.text(tag)) }
        sql += " GROUP BY h.name, c.state"
        var counts: [String: CheckCounts] = [:]
        for row in try await readConnection.query(sql, binds) {
            guard let host = row.column("host")?.string, let state = row.column("state")?.string.flatMap(CheckState.init(rawValue:)) else { continue }
            counts[host, default: CheckCounts()].add(state, row.column("n")?.integer ?? 0)
        }
        return counts
    }

    func checksPage(host: String?, tag: String?, state: CheckState?, offset: Int, limit: Int) async throws -> [CheckRecord] {
        var sql = "SELECT h.name AS host, c.* FROM checks c JOIN hosts h ON h.id = c.host_id WHERE 1 = 1"
        var binds: [SQLiteData] = []
        if let host { sql += " AND h.name = ?"; binds.append(.text(host)) }
        if let tag { sql += " AND " + CheckPageSQL.hasTag(find: "instr", tag: "?"); binds.append(.text(tag)) }
        if let state { sql += " AND c.state = ?"; binds.append(.text(state.rawValue)) }
        sql += " ORDER BY \(CheckPageSQL.order) LIMIT ? OFFSET ?"
        binds += [.integer(limit), .integer(offset)]
        return try await readConnection.query(sql, binds).map(CheckRecord.init(sqlite:))
    }
}
