import Hummingbird
import Logging

/// What the routes that take a sender's journal lines share (`/api/v1/journal`, the original
/// sender's `/journal`): the answer after commit.
enum JournalIntake {
    /// What a batch came to: the sender advances its cursor on any 200, so nothing here is an error.
    struct Receipt: Encodable {
        var stored: Int
        var duplicates: Int
        var expired: Int
        var rejected: Int
        var errors: [JournalBatch.LineError]?
    }

    /// Counts what was stored, logs the lines refused, and answers with what the batch came to.
    static func answer(_ batch: JournalBatch, stored: Int, logger: Logger) throws -> Response {
        BackendMetrics.shared.ingested(journalEntries: stored)
        if batch.rejectedCount > 0 {
            logger.warning("journal lines rejected", metadata: ["rejected": "\(batch.rejectedCount)", "first": "\(batch.rejected.first.map { "line \($0.line): \($0.field ?? "") \($0.error)" } ?? "")"])
        }
        return try JSONBody.response(Receipt(
            stored: stored, duplicates: batch.rows.count - stored, expired: batch.expired, rejected: batch.rejectedCount,
            errors: batch.rejected.isEmpty ? nil : batch.rejected))
    }
}
