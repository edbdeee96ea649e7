import Foundation
import SQLiteNIO

/// A batch of reports' writes on SQLite, in a few multi-row statements rather than a few per
/// report: the hosts, the dedup keys, every check in one upsert and every sample in one insert
/// (split only to stay under SQLite's limit of bound values). Runs inside the writer's transaction.
enum SQLiteIngest {
    /// Observations per statement at most: 13 values each stays under SQLite's 32,766.
    static let rowsPerStatement = 2000

    /// Each report's outcome, in order, and the checks written (for the evaluator, in the same
    /// transaction), once each.
    static func apply(_ batch: [PendingReport], sampleCutoff: (Date) -> Date, on db: SQLiteConnection) async throws -> ([IngestOutcome], [WrittenCheck]) {
        // Oldest first, so the newest report's values are the ones left in each row.
        let order = batch.indices.sorted { batch[$0].rows.sentAt < batch[$1].rows.sentAt }
        let hostIDs = try await upsertHosts(batch, order: order, on: db)
        let fresh = try await claimKeys(batch, hostIDs: hostIDs, on: db)
        let written = try await upsertChecks(batch, order: order.filter { fresh[$0] }, hostIDs: hostIDs, on: db)
        let stored = try await insertSamples(batch, fresh: fresh, hostIDs: hostIDs, written: written, sampleCutoff: sampleCutoff, on: db)
        let outcomes = batch.indices.map { fresh[$0] ? IngestOutcome.stored(samples: stored[$0]) : .duplicate }
        return (outcomes, written.map(\.check))
    }

    private static func upsertHosts(_ batch: [PendingReport], order: [Int], on db: SQLiteConnection) async throws -> [String: Int] {
        var binds: [SQLiteData] = []
        for index in order {
            let (rows, receivedAt) = batch[index]
            let received = SQLiteData.integer(Int(receivedAt.microseconds))
            binds += [.text(rows.host), .optional(rows.bootId), .optional(rows.sender), received, received, .integer(Int(rows.sentAt.microseconds)),
                      .optional(rows.clockOffset), .optional(rows.tags), rows.tags == nil ? .null : .integer(Int(rows.sentAt.microseconds))]
        }
        let found = try await db.query("""
            INSERT INTO hosts (name, boot_id, sender, first_seen, last_report_at, last_sent_at, clock_offset, tags, tags_at) VALUES \(tuples(9, order.count))
            ON CONFLICT (name) DO UPDATE SET
                boot_id = coalesce(excluded.boot_id, hosts.boot_id), sender = coalesce(excluded.sender, hosts.sender),
                -- The offset its newest report showed: a late one (the sender's spool) or a ping's says nothing new.
                clock_offset = CASE WHEN excluded.clock_offset IS NOT NULL AND excluded.last_sent_at >= hosts.last_sent_at
                                    THEN excluded.clock_offset ELSE hosts.clock_offset END,
                -- Tags as the newest report that tells them gave them.
                tags = CASE WHEN excluded.tags_at >= coalesce(hosts.tags_at, 0) THEN excluded.tags ELSE hosts.tags END,
                tags_at = CASE WHEN excluded.tags_at >= coalesce(hosts.tags_at, 0) THEN excluded.tags_at ELSE hosts.tags_at END,
                last_report_at = max(hosts.last_report_at, excluded.last_report_at),
                last_sent_at = max(hosts.last_sent_at, excluded.last_sent_at)
            RETURNING id, name
            """, binds)
        var ids: [String: Int] = [:]
        for row in found { if let id = row.column("id")?.integer, let name = row.column("name")?.string { ids[name] = id } }
        return ids
    }

    /// Whether each report is new: its key was not stored before, nor by an earlier one of the batch.
    private static func claimKeys(_ batch: [PendingReport], hostIDs: [String: Int], on db: SQLiteConnection) async throws -> [Bool] {
        var binds: [SQLiteData] = []
        for (rows, receivedAt) in batch {
            guard let hostID = hostIDs[rows.host] else { throw StoreError.unavailable("the host row was not returned") }
            binds += [.integer(hostID), .text(rows.dedupKey), .integer(Int(receivedAt.microseconds))]
        }
        let claimed = try await db.query(
            "INSERT INTO ingested_reports (host_id, report_key, received_at) VALUES \(tuples(3, batch.count)) ON CONFLICT DO NOTHING RETURNING host_id, report_key",
            binds)
        var unclaimed = Set(claimed.map { Key(hostID: $0.column("host_id")?.integer ?? 0, text: $0.column("report_key")?.string ?? "") })
        return batch.map { unclaimed.remove(Key(hostID: hostIDs[$0.rows.host] ?? 0, text: $0.rows.dedupKey)) != nil }
    }

    private struct Key: Hashable {
        var hostID: Int
        var text: String
    }

    private struct WrittenRow {
        var check: WrittenCheck
        var hostID: Int
    }

    private static func upsertChecks(_ batch: [PendingReport], order: [Int], hostIDs: [String: Int], on db: SQLiteConnection) async throws -> [WrittenRow] {
        let hostNames = Dictionary(hostIDs.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        // Where each check's values come from: the newest report of the batch that holds it.
        var source: [String: [String: (report: Int, item: Int)]] = [:]
        for index in order {
            for (item, name) in batch[index].rows.names.enumerated() { source[batch[index].rows.host, default: [:]][name] = (index, item) }
        }
        var byID: [Int64: WrittenRow] = [:]
        var sequence: [Int64] = []
        var binds: [SQLiteData] = []
        var count = 0
        func flush() async throws {
            guard count > 0 else { return }
            let written = try await db.query("""
                INSERT INTO checks (host_id, name, kind, value, unit, status, error, details, since, last_seen, observed_at,
                                    every_seconds, grace_seconds)
                VALUES \(tuples(13, count))
                \(CheckUpsert.onConflict)
                RETURNING id, host_id, name, state, notified_state, flapping_since IS NOT NULL AS flapping, since = last_seen AS is_new
                """, binds)
            for row in written {
                let id = Int64(row.column("id")?.integer ?? 0)
                let isNew = (row.column("is_new")?.integer ?? 0) != 0
                let hostID = row.column("host_id")?.integer ?? 0
                let (host, name) = (hostNames[hostID] ?? "", row.column("name")?.string ?? "")
                guard let (report, item) = source[host]?[name] else { throw StoreError.unavailable("a check was written that no report holds") }
                let check = WrittenCheck(
                    id: id, host: host, name: name,
                    state: row.column("state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                    notifiedState: row.column("notified_state")?.string.flatMap(CheckState.init(rawValue:)) ?? .ok,
                    flapping: (row.column("flapping")?.integer ?? 0) != 0,
                    // Written twice in one batch (two reports of a host), it is still new.
                    isNew: isNew || (byID[id]?.check.isNew ?? false),
                    reported: batch[report].rows.record(item, receivedAt: batch[report].receivedAt), hostTags: batch[report].rows.tagList)
                if byID[id] == nil { sequence.append(id) }
                byID[id] = WrittenRow(check: check, hostID: hostID)
            }
            binds.removeAll(keepingCapacity: true)
            count = 0
        }
        for index in order {
            let (rows, receivedAt) = batch[index]
            guard let hostID = hostIDs[rows.host] else { throw StoreError.unavailable("the host row was not returned") }
            let received = SQLiteData.integer(Int(receivedAt.microseconds))
            let sent = SQLiteData.integer(Int(rows.sentAt.microseconds))
            for i in rows.names.indices {
                binds += [
                    .integer(hostID), .text(rows.names[i]), .text(rows.kinds[i]), .optional(rows.values[i]), .optional(rows.units[i]),
                    .optional(rows.statuses[i]), .optional(rows.errors[i]), .optional(rows.details[i]), received, received, sent,
                    .optional(rows.every[i]), .optional(rows.grace[i]),
                ]
                count += 1
                if count == rowsPerStatement { try await flush() }
            }
        }
        try await flush()
        return sequence.compactMap { byID[$0] }
    }

    /// Samples stored per report, as one row per report. Two new reports of one host at one time
    /// share a row: the first's.
    private static func insertSamples(_ batch: [PendingReport], fresh: [Bool], hostIDs: [String: Int], written: [WrittenRow], sampleCutoff: (Date) -> Date, on db: SQLiteConnection) async throws -> [Int] {
        var stored = [Int](repeating: 0, count: batch.count)
        var checkIDs: [Key: Int64] = [:]
        for check in written { checkIDs[Key(hostID: check.hostID, text: check.check.name)] = check.check.id }
        var loadedHosts = Set<Int>()
        var pending: [(index: Int, key: Key, count: Int)] = []
        var binds: [SQLiteData] = []
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let inserted = try await db.query(
                "INSERT INTO report_samples (host_id, at, check_ids, check_values) VALUES \(tuples(4, pending.count)) ON CONFLICT DO NOTHING RETURNING host_id, at",
                binds)
            var credited = Set(inserted.map { Key(hostID: $0.column("host_id")?.integer ?? 0, text: String($0.column("at")?.integer ?? 0)) })
            for (index, key, count) in pending where credited.remove(key) != nil { stored[index] = count }
            pending.removeAll(keepingCapacity: true)
            binds.removeAll(keepingCapacity: true)
        }
        for (index, (rows, receivedAt)) in batch.enumerated() where fresh[index] && rows.sentAt >= sampleCutoff(receivedAt) {
            guard let hostID = hostIDs[rows.host] else { continue }
            var ids: [Int64] = [], values: [Double] = []
            for (name, value) in zip(rows.names, rows.values) {
                guard let value else { continue }
                if checkIDs[Key(hostID: hostID, text: name)] == nil, loadedHosts.insert(hostID).inserted {
                    // Not written (a newer report already holds the check): the host's ids, once.
                    for row in try await db.query("SELECT id, name FROM checks WHERE host_id = ?", [.integer(hostID)]) {
                        if let id = row.column("id")?.integer, let found = row.column("name")?.string {
                            checkIDs[Key(hostID: hostID, text: found)] = Int64(id)
                        }
                    }
                }
                guard let id = checkIDs[Key(hostID: hostID, text: name)] else { continue }
                ids.append(id)
                values.append(value)
            }
            guard !ids.isEmpty else { continue }
            let at = Int(rows.sentAt.microseconds)
            pending.append((index, Key(hostID: hostID, text: String(at)), ids.count))
            binds += [.integer(hostID), .integer(at), .text(ReportSampleRows.array(ids)), .text(ReportSampleRows.array(values))]
            if pending.count == ReportSampleRows.rowsPerStatement { try await flush() }
        }
        try await flush()
        return stored
    }

    /// `(?, ?, …), …`: `count` rows of `width` placeholders.
    private static func tuples(_ width: Int, _ count: Int) -> String {
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        return Array(repeating: row, count: count).joined(separator: ", ")
    }
}

extension SQLiteData {
    static func optional(_ text: String?) -> SQLiteData { text.map(SQLiteData.text) ?? .null }
    static func optional(_ number: Double?) -> SQLiteData { number.map(SQLiteData.float) ?? .null }
    static func optional(_ number: Int?) -> SQLiteData { number.map(SQLiteData.integer) ?? .null }
}
