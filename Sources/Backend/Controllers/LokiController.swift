import Foundation
import Hummingbird
import Shared

/// `POST /loki/api/v1/push`: Loki's push into the journal, protobuf (Promtail, Alloy, Vector's
/// default) or JSON, as `LokiPushBody` tells them apart. 204 when every entry was stored (or was
/// already); 400 naming the first bad entry when some were refused (the good ones are stored all
/// the same), or naming where a body that does not parse broke (nothing is stored).
struct LokiController<Context: IdentifiedRequestContext> {
    let journal: JournalService
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).post("loki/api/v1/push", use: push)
    }

    private struct Refusal: Encodable {
        var error: String
        var field: String?
        var stored: Int
        var rejected: Int
    }

    @Sendable func push(_ request: Request, context: Context) async throws -> Response {
        let caller = try context.requireCaller()
        let batch: JournalBatch
        switch try await LokiPushBody.read(request, limit: config.maxJournalBytes, setting: "JOURNAL_MAX_BYTES") {
        case .json(let body):
            do {
                batch = try LokiPushReader.read(body, tokenHost: caller.host, limits: config.journalLimits, now: Date())
            } catch .notAnObject {
                throw APIError(.badRequest, "the body must be a JSON object {\"streams\": [...]}")
            } catch .streamsMissing {
                throw APIError(.badRequest, "is missing or not an array", field: "streams")
            }
        case .protobuf(let body):
            do {
                batch = try LokiProtobufReader.read(body, tokenHost: caller.host, limits: config.journalLimits, now: Date())
            } catch let failure as LokiProtobufReader.Failure {
                throw APIError(.badRequest, "the protobuf push does not parse: \(failure.field) \(failure.message)", field: failure.field)
            }
        }
        let stored = try await withStorageDeadline { try await journal.store(batch.rows) }
        BackendMetrics.shared.ingested(journalEntries: stored)
        guard let first = batch.rejected.first else { return Response(status: .noContent) }
        context.logger.warning("loki entries rejected", metadata: ["rejected": "\(batch.rejectedCount)", "first": "\(first.field ?? ""): \(first.error)"])
        return try JSONBody.response(
            Refusal(error: "\(batch.rejectedCount) entries refused; the first: \(first.error)", field: first.field, stored: batch.rows.count, rejected: batch.rejectedCount),
            status: .badRequest)
    }
}
