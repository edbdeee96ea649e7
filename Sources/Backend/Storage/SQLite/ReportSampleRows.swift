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
        try await read(checkIDs: [checkID], hostID: hostID, from: from, to: to, limit: limit, on: db)[checkID] ?? []
    }

    /// Several checks of one host in one pass over its report rows, at most `limit` each.
    static func read(checkIDs: [Int64], hostID: Int, from: Date, to: Date, limit: Int, on db: SQLiteConnection) async throws -> [Int64: [SampleRecord]] {
        var samples: [Int64: [SampleRecord]] = [:]
        var after = Int(from.microseconds) - 1
        var retiredAt: [Int64: Int] = [:]
        let retired = try await db.query(
            "SELECT id, retired_at FROM retired_checks WHERE id IN (SELECT value FROM json_each(?))", [.text(array(checkIDs))])
        for row in retired { retiredAt[Int64(row.column("id")?.integer ?? 0)] = row.column("retired_at")?.integer }
        let until = to == .distantFuture ? Int.max : Int(to.microseconds)
        let wanted = Dictionary(checkIDs.map { (String($0), $0) }, uniquingKeysWith: { first, _ in first })
        var open = Set(checkIDs)
        // In pages, as a report may lack a check (it was not reported that time).
        let page = min(max(limit, 100), 5000)
        while !open.isEmpty {
            let rows = try await db.query(
                "SELECT at, check_ids, check_values FROM report_samples WHERE host_id = ? AND at > ? AND at <= ? ORDER BY at LIMIT ?",
                [.integer(hostID), .integer(after), .integer(until), .integer(page)])
            for row in rows {
                let at = row.column("at")?.integer ?? 0
                after = at
                guard let ids = row.column("check_ids")?.string, let values = row.column("check_values")?.string else { continue }
                let numbers = elements(values)
                for (position, text) in elements(ids).enumerated() {
                    guard let id = wanted[String(text)], open.contains(id), position < numbers.count,
                          at > retiredAt[id] ?? Int.min, let value = Double(numbers[position]) else { continue }
                    samples[id, default: []].append(SampleRecord(at: Date(microseconds: Int64(at)), value: value))
                    if samples[id]?.count == limit { open.remove(id) }
                }
                if open.isEmpty { break }
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
