import Foundation
import SQLiteNIO

/// Failed-login records on SQLite; failure times as a JSON array of microseconds.
extension SQLiteStore {
    func updateLoginRecord<T: Sendable>(key: String, _ change: @escaping @Sendable (inout LoginRecord?) -> T) async throws -> T {
        try await writer.write { db in
            let row = try await db.query("SELECT failures, locked_until FROM login_records WHERE key = ?", [.text(key)]).first
            var record = row.map { row in
                LoginRecord(failures: (row.column("failures")?.string).map(Self.times) ?? [], lockedUntil: row.optionalDate("locked_until"))
            }
            let result = change(&record)
            if let record {
                let failures = "[" + record.failures.map { String($0.microseconds) }.joined(separator: ",") + "]"
                _ = try await db.query("""
                    INSERT INTO login_records (key, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at
                    """, [.text(key), .text(failures), .optional(record.lockedUntil.map { Int($0.microseconds) }), .integer(Int(Date().microseconds))])
            } else if row != nil {
                _ = try await db.query("DELETE FROM login_records WHERE key = ?", [.text(key)])
            }
            return result
        }
    }

    private static func times(_ text: String) -> [Date] {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap { Int64($0) }.map(Date.init(microseconds:))
    }
}
