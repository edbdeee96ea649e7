import Foundation
import Shared

/// Journal entries in: stored, then run through the log rules, whose checks are ingested like
/// any report. Both commit before the caller acknowledges, so a batch the sender resends after
/// a failure is matched again and no alert is missed; its stored entries are not stored twice.
/// (The journal may live in another database, `JOURNAL_DATABASE_URL`, so the two cannot share
/// one transaction.)
struct JournalService: Sendable {
    let journal: any JournalStore
    let ingest: IngestService
    let rules: [LogRule]

    /// Returns how many entries were new.
    func store(_ rows: JournalRows, now: Date = Date()) async throws -> Int {
        let stored = try await journal.insert(rows)
        let reports = LogMatcher.reports(rules: rules, rows: rows, now: now)
        // One task a host: the ingest batcher folds them into one transaction.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for report in reports {
                group.addTask { _ = try await ingest.ingest(report, receivedAt: now) }
            }
            try await group.waitForAll()
        }
        return stored
    }
}
