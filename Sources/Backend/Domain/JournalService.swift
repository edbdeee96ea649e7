import Foundation
import Logging
import Shared

/// Journal entries in: stored, then run through the log rules, whose checks are ingested like
/// any report. Both commit before the caller acknowledges, so a batch the sender resends after
/// a failure is matched again and no alert is missed; its stored entries are not stored twice.
/// (The journal may live in another database, `JOURNAL_DATABASE_URL`, so the two cannot share
/// one transaction.)
struct JournalService: Sendable {
    let journal: any JournalStore
    let ingest: IngestService
    let checks: any CheckRepository
    let rules: [LogRule]
    var logger = Logger(label: "metrics-backend.log-rules")

    /// Returns how many entries were new.
    func store(_ rows: JournalRows, now: Date = Date()) async throws -> Int {
        let stored = try await journal.insert(rows)
        // Read only when a rule picks hosts by tag: most batches are of one host.
        let tags = rules.contains { !$0.tags.isEmpty } ? try await checks.tags(hosts: Array(Set(rows.hosts))) : [:]
        let reports = try await withoutNeedlessRecoveries(LogMatcher.reports(rules: rules, rows: rows, now: now, tags: tags))
        // One task a host: the ingest batcher folds them into one transaction.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for report in reports {
                group.addTask { [ingest, logger] in
                    do { _ = try await ingest.ingest(report, receivedAt: now) } catch let refusal as any StoreRefusal {
                        // The entries are stored: a check the store refuses (the host's check
                        // limit) must not make the sender resend them forever.
                        logger.warning("a log rule's check was refused", metadata: ["host": "\(report.host)", "error": "\(refusal.message)"])
                    }
                }
            }
            try await group.waitForAll()
        }
        return stored
    }

    /// A recovery line of a check that is not alerting says nothing new: raising an ok check for
    /// it would spend a check on every host that logs "Started nginx".
    private func withoutNeedlessRecoveries(_ reports: [Report]) async throws -> [Report] {
        var kept: [Report] = []
        for var report in reports {
            if report.observations.contains(where: { $0.status == ObservationStatus.ok }) {
                let alerting = Set(try await checks.checks(host: report.host, state: .alert).map(\.name))
                report.observations.removeAll { $0.status == ObservationStatus.ok && !alerting.contains($0.name) }
            }
            if !report.observations.isEmpty { kept.append(report) }
        }
        return kept
    }
}
