import Foundation
import Hummingbird
import Shared

/// `POST /api/v1/report`: a sender's report, stored in one transaction and acknowledged after commit.
struct IngestController<Context: IdentifiedRequestContext> {
    let ingest: IngestService
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("report", use: report)
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        let caller = try context.requireCaller()
        let body = try await RequestBody.collect(request, limit: config.maxReportBytes, setting: "REPORT_MAX_BYTES")
        let report = try ReportReader.report(from: body)
        return try await ReportIntake.store(report, from: caller, limits: config.reportLimits, in: ingest)
    }
}
