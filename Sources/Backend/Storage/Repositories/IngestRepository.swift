import Foundation

/// A report's rows waiting to be written, with when it arrived.
typealias PendingReport = (rows: ReportRows, receivedAt: Date)

/// Writes reports. One call is one transaction (a unit of work): the rows, the pings the reports
/// stand for, and whatever `evaluate` writes after them, committed together or not at all.
protocol IngestRepository: Sendable {
    /// How many reports this engine writes per transaction, and how many transactions at once.
    var ingestBatching: IngestBatching { get }
    /// Returns each report's outcome in order, and `evaluate`'s result, after the commit.
    func ingest<T: Sendable>(
        _ batch: [PendingReport], evaluate: @escaping @Sendable ([WrittenCheck], any AlertTransaction) async throws -> T
    ) async throws -> (outcomes: [IngestOutcome], evaluated: T)
}

struct IngestBatching: Sendable {
    /// Batches in flight at once, and reports per batch at most.
    var maxRunning: Int
    var maxBatch: Int
    /// Reports that must be waiting before a batch starts beside a running one.
    var overlapAt: Int = 1
}

enum IngestOutcome: Sendable, Equatable {
    case stored(samples: Int)
    /// The same report arrived before (a retry); nothing was written again.
    case duplicate
}

/// A check an ingest statement just wrote, with what tells whether its state can change at all.
struct WrittenCheck: Sendable {
    var id: Int64
    var host: String
    var name: String
    var state: CheckState
    var notifiedState: CheckState
    var flapping: Bool
    var isNew: Bool
    /// The check as the batch's newest report of it shows it.
    var reported: CheckRecord
    /// The host's tags as that report told them; nil when it did not.
    var hostTags: [String]?
}
