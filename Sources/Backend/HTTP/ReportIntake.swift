import Foundation
import Hummingbird
import Shared

/// What every route that takes reports shares (`/api/v1/report`, the original sender's `/metric`):
/// the checks before storing, and the answer after commit.
enum ReportIntake {
    struct Receipt: Encodable {
        var stored: Int
        var duplicate: Bool
    }

    /// Checks a decoded report, stores it and answers, after commit: what every report route does.
    static func store(_ report: Report, from caller: Caller, limits: ReportLimits, in ingest: IngestService) async throws -> Response {
        try accept(report, from: caller, limits: limits)
        let outcome = try await withStorageDeadline { try await ingest.ingest(report, receivedAt: Date()) }
        return try answer(outcome, for: report)
    }

    /// The protocol's rules, then the token's scope.
    private static func accept(_ report: Report, from caller: Caller, limits: ReportLimits) throws {
        do {
            try report.validate(limits: limits)
        } catch {
            throw APIError.invalid(error)
        }
        try caller.requireReporting(for: report.host)
    }

    /// Counts a stored report and answers with what was stored; a retry is a duplicate, not an error.
    private static func answer(_ outcome: IngestOutcome, for report: Report) throws -> Response {
        switch outcome {
        case .stored(let samples):
            BackendMetrics.shared.ingested(reports: 1, observations: report.observations.count)
            return try JSONBody.response(Receipt(stored: samples, duplicate: false))
        case .duplicate: return try JSONBody.response(Receipt(stored: 0, duplicate: true))
        }
    }
}
