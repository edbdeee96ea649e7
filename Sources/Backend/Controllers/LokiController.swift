import Foundation
import Hummingbird
import Shared

/// `POST /loki/api/v1/push`: Loki's JSON push (gzip accepted) into the journal, so Vector (with
/// `compression = "gzip"` or `"none"`) can ship logs here; Promtail and Alloy send only protobuf. 204 when every entry was stored (or was already);
/// 400 naming the first bad entry when some were refused (the good ones are stored all the same).
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
        let type = request.headers[.contentType]?.lowercased() ?? "application/json"
        guard type.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "only Loki's JSON push is accepted (Content-Type: application/json, gzip allowed); the protobuf form is not: set your shipper to JSON (Vector: compression = \"gzip\" or \"none\")", field: "Content-Type")
        }
        let body = try await RequestBody.collect(request, limit: config.maxJournalBytes, setting: "JOURNAL_MAX_BYTES")
        let batch: JournalBatch
        do {
            batch = try LokiPushReader.read(body, tokenHost: caller.host, limits: config.journalLimits, now: Date())
        } catch .notAnObject {
            throw APIError(.badRequest, "the body must be a JSON object {\"streams\": [...]}")
        } catch .streamsMissing {
            throw APIError(.badRequest, "is missing or not an array", field: "streams")
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
