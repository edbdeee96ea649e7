import Foundation

/// What an engine offers the evaluator inside one transaction: the one that also holds the
/// report (at ingest) or the deadline's evaluation (in the scheduler).
protocol AlertTransaction {
    /// These checks as candidates. With `skipLocked`, checks another transaction is writing are
    /// left out: that transaction evaluates them itself.
    func candidates(ids: [Int64], skipLocked: Bool) async throws -> [AlertCandidate]
    /// Samples of several checks, each since its own time, oldest first: one read, not one per
    /// check, as a batch of reports can ask for many.
    func samples(since: [Int64: Date]) async throws -> [Int64: [SampleRecord]]
    /// How often each of these checks flipped since a time; a check that did not is left out.
    func flipCounts(checkIDs: [Int64], since: Date) async throws -> [Int64: Int]
    /// Writes each decision's check columns, its flip, and one outbox row per delivery of its
    /// message, in a fixed number of statements however many there are.
    func write(_ decisions: [AlertDecision]) async throws
}

/// The checks' alert columns: silence, pause, and transactions for the evaluator.
protocol AlertRepository: Sendable {
    /// Runs `body` in one transaction.
    func withAlertTransaction<T: Sendable>(_ body: @escaping @Sendable (any AlertTransaction) async throws -> T) async throws -> T
    /// Every check as a candidate, one at a time: the scheduler's full rescan.
    func eachAlertCandidate(_ body: (AlertCandidate) -> Void) async throws
    /// Sets the silence of one check, or of all a host's; returns their ids.
    func setSilence(host: String, check: String?, until: Date?) async throws -> [Int64]
    /// Pauses or resumes one check, or all a host's; `silencedAtLeastUntil` moves each one's
    /// silence to at least that time. Returns their ids.
    func setPaused(host: String, check: String?, paused: Bool, silencedAtLeastUntil: Date?) async throws -> [Int64]
}
