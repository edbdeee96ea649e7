import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /api/v1/report`: a sender's report, stored in one transaction and acknowledged after commit.
struct IngestController<Context: RequestContext> {
    let ingest: IngestService
    let auth: TokenAuthenticator
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("report", use: report)
    }

    struct Receipt: Encodable {
        var stored: Int
        var duplicate: Bool
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        let caller = try await auth.caller(of: request, allowAnonymous: config.allowAnonymousIngest)
        let body = try await RequestBody.collect(request, limit: config.maxReportBytes)
        let report = try ReportReader.report(from: body)
        try Self.accept(report, from: caller, limits: config.reportLimits)
        return try await Self.store(report, in: ingest, logger: context.logger)
    }

    /// Stores an accepted report and answers with what was stored, after commit.
    static func store(_ report: Report, in ingest: IngestService, logger: Logger) async throws -> Response {
        let outcome = try await withStorage(logger) { try await ingest.ingest(report, receivedAt: Date()) }
        switch outcome {
        case .stored(let samples):
            BackendMetrics.shared.ingested(reports: 1, observations: report.observations.count)
            return try JSONBody.response(Receipt(stored: samples, duplicate: false))
        case .duplicate: return try JSONBody.response(Receipt(stored: 0, duplicate: true))
        }
    }

    /// The checks every ingest path makes before storing: the protocol's rules, then the token's scope.
    static func accept(_ report: Report, from caller: Caller, limits: ReportLimits) throws {
        do {
            try report.validate(limits: limits)
        } catch {
            throw APIError.invalid(error)
        }
        guard caller.mayReport(for: report.host) else {
            throw APIError(.forbidden, "this token may only report for host '\(caller.host ?? "")'", field: "host")
        }
    }
}
