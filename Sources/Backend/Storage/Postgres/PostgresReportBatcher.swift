import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Group commit for PostgreSQL: reports that arrive while earlier statements run wait, and the
/// next statement stores all of them at once. Under load one statement and one commit carry many
/// reports, and few database processes compete for the CPU; alone, a report goes at once. Each
/// caller hears back only after the commit that holds its report.
final class PostgresReportBatcher: Sendable {
    private struct Job {
        var rows: ReportRows
        var receivedAt: Date
        var continuation: CheckedContinuation<IngestOutcome, any Error>
    }

    private struct State {
        var pending: [Job] = []
        var running = 0
    }

    private let client: PostgresClient
    private let logger: Logger
    private let sampleCutoff: @Sendable (Date) -> Date
    private let evaluator: AlertEvaluator
    private let state = Mutex(State())
    /// Statements in flight at once, and reports per statement at most.
    private let maxRunning: Int
    private let maxBatch: Int

    init(client: PostgresClient, evaluator: AlertEvaluator, maxRunning: Int = 4, maxBatch: Int = 128, logger: Logger, sampleCutoff: @escaping @Sendable (Date) -> Date) {
        self.client = client
        self.evaluator = evaluator
        self.maxRunning = maxRunning
        self.maxBatch = maxBatch
        self.logger = logger
        self.sampleCutoff = sampleCutoff
    }

    func ingest(_ rows: ReportRows, receivedAt: Date) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.pending.append(Job(rows: rows, receivedAt: receivedAt, continuation: continuation))
                guard state.running < maxRunning else { return false }
                state.running += 1
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [Job]? = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.running -= 1
                    return nil
                }
                let taken = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(taken.count)
                return taken
            }
            guard let batch else { return }
            await run(batch)
        }
    }

    private func run(_ batch: [Job]) async {
        do {
            let reports = batch.map { (rows: $0.rows, receivedAt: $0.receivedAt, keepSamples: $0.rows.sentAt >= sampleCutoff($0.receivedAt)) }
            let (logger, evaluator) = (self.logger, self.evaluator)
            let now = batch.map(\.receivedAt).max() ?? Date()
            let (outcomes, evaluation) = try await client.withTransaction(logger: logger) { connection in
                let (outcomes, checks) = try await PostgresIngestBatch.apply(reports, on: connection, logger: logger)
                // Threshold flips in the same transaction as the values that caused them. A check
                // in several reports of the batch was written with the newest one's values.
                var reported: [String: [String: CheckRecord]] = [:]
                for report in reports.sorted(by: { $0.rows.sentAt < $1.rows.sentAt }) {
                    reported[report.rows.host, default: [:]].merge(report.rows.reported(receivedAt: report.receivedAt)) { $1 }
                }
                let evaluation = try await evaluator.evaluate(
                    written: checks, reported: { reported[$0]?[$1] }, now: now, in: PostgresAlertTransaction(connection: connection, logger: logger))
                return (outcomes, evaluation)
            }
            evaluator.committed(evaluation)
            for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(returning: outcome) }
        } catch {
            guard batch.count > 1 else {
                batch.first?.continuation.resume(throwing: error)
                return
            }
            // One report must not fail the others: alone, each succeeds or fails on its own.
            logger.warning("a batch of reports failed; storing them one by one", metadata: ["reports": "\(batch.count)", "error": "\(String(reflecting: error))"])
            for job in batch { await run([job]) }
        }
    }
}
