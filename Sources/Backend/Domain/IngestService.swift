import Foundation
import Logging
import Shared

/// Stores reports and evaluates what they change, in one transaction per batch: a threshold
/// flip commits with the values that caused it, and nobody hears of it before.
struct IngestService: Sendable {
    private let batcher: ReportBatcher

    init(store: any IngestRepository, alerting: AlertingService, logger: Logger) {
        let evaluator = alerting.evaluator
        batcher = ReportBatcher(store.ingestBatching, logger: logger) { batch in
            let now = batch.map(\.receivedAt).max() ?? Date()
            let (outcomes, evaluated) = try await store.ingest(batch) { written, tx in
                try await evaluator.evaluate(written: written, now: now, in: tx)
            }
            alerting.committed(evaluated)
            return outcomes
        }
    }

    /// Stores a validated report (with `ping`, the ping it stands for); returns only after commit.
    func ingest(_ report: Report, ping: PingRecord? = nil, receivedAt: Date) async throws -> IngestOutcome {
        try await batcher.ingest(ReportRows(report, ping: ping, receivedAt: receivedAt), receivedAt: receivedAt)
    }
}
