import Foundation
import SQLiteNIO
import Shared

/// Samples on SQLite are one row per report: the host, the time, and its checks' ids and values
/// as two JSON arrays in the same order.
enum ReportSampleRows {
    /// Report rows stored per statement at most: 4 bound values each.
    static let rowsPerStatement = 2000

    /// JSON array text of integers or numbers (all finite, as validated).
    static func array(_ items: [some CustomStringConvertible]) -> String {
        "[" + items.map(\.description).joined(separator: ",") + "]"
    }

    /// One check's samples from `from` to `to`, oldest first, at most `limit`.
    static func read(checkID: Int64, hostID: Int, from: Date, to: Date, limit: Int, on db: SQLiteConnection) async throws -> [SampleRecord] {
        var samples: [SampleRecord] = []
        var after = Int(from.microseconds) - 1
        let retired = try await db.query("SELECT retired_at FROM retired_checks WHERE id = ?", [.integer(Int(checkID))])
        if let retiredAt = retired.first?.column("retired_at")?.integer { after = max(after, retiredAt) }
        let until = to == .distantFuture ? Int.max : Int(to.microseconds)
        let wanted = String(checkID)
        // In pages, as a report may lack the check (it was not reported that time).
        let page = min(max(limit, 100), 5000)
        while samples.count < limit {
            let rows = try await db.query(
                "SELECT at, check_ids, check_values FROM report_samples WHERE host_id = ? AND at > ? AND at <= ? ORDER BY at LIMIT ?",
                [.integer(hostID), .integer(after), .integer(until), .integer(page)])
            for row in rows {
                let at = row.column("at")?.integer ?? 0
                after = at
                guard let ids = row.column("check_ids")?.string, let values = row.column("check_values")?.string,
                      let position = elements(ids).firstIndex(where: { $0 == wanted[...] })
                else { continue }
                let numbers = elements(values)
                guard position < numbers.count, let value = Double(numbers[position]) else { continue }
                samples.append(SampleRecord(at: Date(microseconds: Int64(at)), value: value))
                if samples.count == limit { break }
            }
            if rows.count < page { break }
        }
        return samples
    }

    /// The elements of a flat JSON array of numbers, as text.
    private static func elements(_ text: String) -> [Substring] {
        text.dropFirst().dropLast().split(separator: ",")
    }
}
