import Foundation
import HTTPTypes
import Logging
import Synchronization

/// Group commit for reports, on either engine: reports that arrive while earlier batches are
/// stored wait, and the next batch stores all of them in a few statements and one commit. Under
/// load the per-statement and per-commit costs are shared by many reports; alone, a report goes
/// at once. Each caller hears back only after the commit that holds its report.
final class ReportBatcher: Sendable {
    /// Stores a batch in one transaction and answers each report's outcome, in order.
    typealias Apply = @Sendable (_ batch: [PendingReport]) async throws -> [IngestOutcome]

    private struct Job {
        var report: PendingReport
        var continuation: CheckedContinuation<IngestOutcome, any Error>
    }

    private struct State {
        var pending: [Job] = []
        var running = 0
    }

    private let apply: Apply
    private let logger: Logger
    private let state = Mutex(State())
    /// Batches in flight at once, and reports per batch at most.
    private let maxRunning: Int
    private let maxBatch: Int
    /// Reports that must be waiting before a batch starts beside a running one. Fewer wait for
    /// it to finish and go together: every batch has a fixed cost, and a second small batch
    /// would spend the CPU the running one needs.
    private let overlapAt: Int

    /// Reports waiting at most: beyond it a report is refused at once (503, retry), so overload
    /// cannot grow memory and every waiter's time without bound.
    private let maxWaiting: Int

    /// The queue is full: retry later.
    struct Overloaded: StoreRefusal {
        var status: HTTPResponse.Status { .serviceUnavailable }
        var message: String { "the backend is storing as many reports as it can; retry later" }
        var field: String? { nil }
    }

    init(_ batching: IngestBatching, maxWaiting: Int = 4096, logger: Logger, apply: @escaping Apply) {
        self.maxWaiting = maxWaiting
        self.maxRunning = batching.maxRunning
        self.maxBatch = batching.maxBatch
        self.overlapAt = batching.overlapAt
        self.logger = logger
        self.apply = apply
    }

    func ingest(_ rows: ReportRows, receivedAt: Date) async throws -> IngestOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state -> Bool? in
                guard state.pending.count < maxWaiting else { return nil }
                state.pending.append(Job(report: (rows, receivedAt), continuation: continuation))
                guard state.running == 0 || (state.running < maxRunning && state.pending.count >= overlapAt) else { return false }
                state.running += 1
                return true
            }
            guard let start else { return continuation.resume(throwing: Overloaded()) }
            // Ahead of the requests: reports wait on this task, so it must not queue behind them.
            if start { Task(priority: .high) { await self.drain() } }
        }
    }

    /// Reports waiting for a batch.
    var waiting: Int { state.withLock { $0.pending.count } }

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
            let outcomes = try await apply(batch.map(\.report))
            guard outcomes.count == batch.count else { throw StoreError.unavailable("the store did not answer for every report") }
            for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(returning: outcome) }
        } catch let exceeded as CheckLimit.Exceeded where batch.count > 1 {
            // One host past its check limit: its reports go alone, the others stay one batch.
            let (own, others) = (batch.filter { $0.report.rows.host == exceeded.host }, batch.filter { $0.report.rows.host != exceeded.host })
            for job in own { await run([job]) }
            if !others.isEmpty { await run(others) }
        } catch {
            guard batch.count > 1 else {
                batch.first?.continuation.resume(throwing: error)
                return
            }
            // One report must not fail the others: alone, each succeeds or fails on its own.
            logger.warning("a batch of reports failed; storing them one by one", metadata: ["reports": "\(batch.count)", "error": "\(LoggedError.text(error))"])
            for job in batch { await run([job]) }
        }
    }
}
