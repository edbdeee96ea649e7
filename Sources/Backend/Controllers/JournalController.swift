import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /api/v1/journal` (a sender's NDJSON batch) and `GET /api/v1/journal` (search, newest first).
struct JournalController<Context: RequestContext> {
    let journal: any JournalStore
    let auth: TokenAuthenticator
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("journal", use: ingest)
            .get("journal", use: search)
    }

    @Sendable func ingest(_ request: Request, context: Context) async throws -> Response {
        let caller = try await auth.caller(of: request, allowAnonymous: config.allowAnonymousIngest)
        guard let host = request.uri.queryParameters.get("host"), !host.isEmpty else {
            throw APIError(.badRequest, "is missing: POST /api/v1/journal?host=NAME", field: "host")
        }
        do { try Names.check(host, field: "host", maxLength: config.reportLimits.maxNameLength) } catch { throw APIError.invalid(error) }
        try caller.requireReporting(for: host)
        let body = try await RequestBody.collect(request, limit: config.maxJournalBytes)
        let batch = JournalBatchReader.read(body, host: host, limits: config.journalLimits, now: Date())
        let stored = try await withStorage(context.logger) { try await journal.insert(batch.rows) }
        return try JournalIntake.answer(batch, stored: stored, logger: context.logger)
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        _ = try await auth.reader(of: request)
        let query = try Self.query(request.uri.queryParameters)
        let entries = try await withStorage(context.logger) { try await journal.entries(query) }
        return try JSONBody.response(JournalPage(entries: entries, query: query))
    }

    /// The filters of `GET /api/v1/journal`; a bad one names its parameter.
    static func query(_ parameters: Parameters) throws -> JournalQuery {
        func text(_ key: String, maxLength: Int = 256) throws -> String? {
            guard let raw = parameters.get(key), !raw.isEmpty else { return nil }
            guard raw.utf8.count <= maxLength else { throw APIError(.badRequest, "is longer than \(maxLength) bytes", field: key) }
            guard !raw.utf8.contains(0) else { throw APIError(.badRequest, "must not contain NUL", field: key) }
            return raw
        }
        var query = JournalQuery()
        query.host = try text("host")
        query.unit = try text("unit")
        query.container = try text("container")
        query.identifier = try text("identifier")
        query.text = try text("q", maxLength: 1000)
        if let raw = try text("priority") {
            guard let priority = Int(raw) ?? JournalQuery.priorityNames.firstIndex(of: raw.lowercased()), (0...7).contains(priority) else {
                throw APIError(.badRequest, "must be 0 to 7 or a name: \(JournalQuery.priorityNames.joined(separator: ", "))", field: "priority")
            }
            query.maxPriority = priority
        }
        query.from = try ReadController<Context>.time(parameters.get("from"), field: "from")
        query.to = try ReadController<Context>.time(parameters.get("to"), field: "to")
        if let from = query.from, let to = query.to, from > to { throw APIError(.badRequest, "must not be after 'to'", field: "from") }
        if let raw = try text("limit") {
            guard let limit = Int(raw), (1...JournalQuery.maxLimit).contains(limit) else {
                throw APIError(.badRequest, "must be a whole number from 1 to \(JournalQuery.maxLimit)", field: "limit")
            }
            query.limit = limit
        }
        let before = try text("before"), after = try text("after")
        guard before == nil || after == nil else { throw APIError(.badRequest, "give before or after, not both", field: "after") }
        if let before {
            guard let position = JournalPosition(token: before) else { throw APIError(.badRequest, "is not a page token from a previous answer", field: "before") }
            query.page = .before(position)
        }
        if let after {
            guard let position = JournalPosition(token: after) else { throw APIError(.badRequest, "is not a page token from a previous answer", field: "after") }
            query.page = .after(position)
        }
        return query
    }
}

/// `POST /journal`: the original Go sender's `{"logs": "<journalctl -o json lines>"}`.
struct LegacyJournalController<Context: RequestContext> {
    let journal: any JournalStore
    let auth: TokenAuthenticator
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("journal", use: ingest)
    }

    @Sendable func ingest(_ request: Request, context: Context) async throws -> Response {
        let caller = try await auth.caller(of: request, queryToken: true, allowAnonymous: config.allowAnonymousIngest)
        var host = request.uri.queryParameters.get("host").flatMap { $0.isEmpty ? nil : $0 } ?? caller.host
        if let given = host {
            do { try Names.check(given, field: "host", maxLength: config.reportLimits.maxNameLength) } catch { throw APIError.invalid(error) }
            try caller.requireReporting(for: given)
            host = given
        }
        let body = try await RequestBody.collect(request, limit: config.maxJournalBytes)
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
        let stored = try await withStorage(context.logger) { try await journal.insert(batch.rows) }
        return try JournalIntake.answer(batch, stored: stored, logger: context.logger)
    }
}
