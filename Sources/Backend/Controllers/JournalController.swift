import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /api/v1/journal` (a sender's NDJSON batch) and `GET /api/v1/journal` (search, newest first).
struct JournalController<Context: IdentifiedRequestContext> {
    let journal: JournalService
    let config: BackendConfig

    /// For senders.
    var ingestEndpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).post("journal", use: ingest)
    }

    /// For readers.
    var searchEndpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("journal", use: search)
    }

    @Sendable func ingest(_ request: Request, context: Context) async throws -> Response {
        let caller = try context.requireCaller()
        guard let host = request.uri.queryParameters.get("host"), !host.isEmpty else {
            throw APIError(.badRequest, "is missing: POST /api/v1/journal?host=NAME", field: "host")
        }
        do { try Names.check(host, field: "host", maxLength: config.reportLimits.maxNameLength) } catch { throw APIError.invalid(error) }
        try caller.requireReporting(for: host)
        let body = try await RequestBody.collect(request, limit: config.maxJournalBytes, setting: "JOURNAL_MAX_BYTES")
        let batch = JournalBatchReader.read(body, host: host, limits: config.journalLimits, now: Date())
        let stored = try await withStorageDeadline { try await journal.store(batch.rows) }
        return try JournalIntake.answer(batch, stored: stored, logger: context.logger)
    }

    /// `GET /api/v1/journal`: the filters as the journal page reads them; a bad one names its parameter.
    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        let filter = JournalFilter { parameters.get($0) }
        if let problem = filter.problems.first { throw APIError(.badRequest, problem.message, field: problem.field) }
        let query = filter.query
        let entries = try await journal.journal.entries(query)
        return try JSONBody.response(JournalPage(entries: entries, query: query))
    }
}

/// `POST /journal`: the original Go sender's `{"logs": "<journalctl -o json lines>"}`.
struct LegacyJournalController<Context: IdentifiedRequestContext> {
    let journal: JournalService
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("journal", use: ingest)
    }

    @Sendable func ingest(_ request: Request, context: Context) async throws -> Response {
        let caller = try context.requireCaller()
        var host = request.uri.queryParameters.get("host").flatMap { $0.isEmpty ? nil : $0 } ?? caller.host
        if let given = host {
            do { try Names.check(given, field: "host", maxLength: config.reportLimits.maxNameLength) } catch { throw APIError.invalid(error) }
            try caller.requireReporting(for: given)
            host = given
        }
        let body = try await RequestBody.collect(request, limit: config.maxJournalBytes, setting: "JOURNAL_MAX_BYTES")
        let batch: JournalBatch
        do {
            batch = try LegacyJournalReader.read(body, host: host, limits: config.journalLimits, now: Date())
        } catch .notAnObject {
            throw APIError(.badRequest, "the body must be a JSON object {\"logs\": \"<journalctl -o json lines>\"}")
        } catch .logsMissing {
            throw APIError(.badRequest, "is missing", field: "logs")
        } catch .logsNotText {
            throw APIError(.badRequest, "must be a string of journalctl -o json lines", field: "logs")
        }
        let stored = try await withStorageDeadline { try await journal.store(batch.rows) }
        return try JournalIntake.answer(batch, stored: stored, logger: context.logger)
    }
}
