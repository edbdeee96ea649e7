import Foundation
import PostgresNIO

/// Failed-login records on PostgreSQL, shared by every backend: the row is locked while it changes.
extension PostgresStore {
    func updateLoginRecord<T: Sendable>(key: String, _ change: @escaping @Sendable (inout LoginRecord?) -> T) async throws -> T {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            let now = Date()
            try await connection.query("""
                INSERT INTO login_records (key, failures, updated_at) VALUES (\(key), '{}', \(now)) ON CONFLICT (key) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query(
                "SELECT failures, locked_until FROM login_records WHERE key = \(key) FOR UPDATE", logger: logger)
            var record: LoginRecord?
            for try await (failures, lockedUntil) in rows.decode((PostgresArray<Int64>, Date?).self) {
                record = LoginRecord(failures: failures.elements.map(Date.init(microseconds:)), lockedUntil: lockedUntil)
            }
            if record?.failures.isEmpty == true && record?.lockedUntil == nil { record = nil }  // the row made just now
            let result = change(&record)
            if let record {
                try await connection.query("""
                    UPDATE login_records SET failures = \(PostgresArray(record.failures.map(\.microseconds))), locked_until = \(record.lockedUntil),
                        updated_at = \(now) WHERE key = \(key)
                    """, logger: logger)
            } else {
                try await connection.query("DELETE FROM login_records WHERE key = \(key)", logger: logger)
            }
            return result
        }
    }
}
