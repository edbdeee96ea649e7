import Foundation
import SQLiteNIO
import Shared

extension SQLiteRow {
    func date(_ column: String) -> Date {
        Date(microseconds: Int64(self.column(column)?.integer ?? 0))
    }

    func optionalDate(_ column: String) -> Date? {
        guard let value = self.column(column), !value.isNull, let micros = value.integer else { return nil }
        return Date(microseconds: Int64(micros))
    }
}

extension CheckRecord {
    init(sqlite row: SQLiteRow) {
        self.init(
            host: row.column("host")?.string ?? "", name: row.column("name")?.string ?? "", kind: CheckKind(stored: row.column("kind")?.string ?? ""),
            value: row.column("value").flatMap { $0.isNull ? nil : $0.double }, unit: row.column("unit")?.string,
            status: row.column("status")?.string, error: row.column("error")?.string,
            details: row.column("details")?.string.flatMap(JSONValue.decodeObject),
            state: row.column("state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
            since: row.date("since"), lastSeen: row.date("last_seen"), observedAt: row.date("observed_at"),
            every: row.column("every_seconds")?.integer, grace: row.column("grace_seconds")?.integer,
            silencedUntil: row.optionalDate("silenced_until"), paused: row.column("paused")?.bool ?? false,
            cron: row.column("cron")?.string, timezone: row.column("timezone")?.string)
    }
}

extension TokenRecord {
    init(sqlite row: SQLiteRow) {
        self.init(
            id: Int64(row.column("id")?.integer ?? 0), prefix: row.column("prefix")?.string ?? "",
            host: row.column("host")?.string, label: row.column("label")?.string,
            createdAt: row.date("created_at"), revokedAt: row.optionalDate("revoked_at"))
    }
}

extension JSONValue {
    /// Details as stored: a JSON object in text. Anything else reads as no details.
    static func decodeObject(_ text: String) -> [String: JSONValue]? {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        return object
    }
}
