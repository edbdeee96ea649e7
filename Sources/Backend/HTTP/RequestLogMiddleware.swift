import Foundation
import Hummingbird
import Logging

/// Logs each request's method, path (never the query, which may hold `?token=`), status and time.
/// Successes at debug, so a busy ingest does not flood the log; server errors at error.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status, start: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context: context, status: error.status, start: start)
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(LoggedError.text(error))"])
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: HTTPResponse.Status, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The route's pattern, never the raw path, so host and check names do not become labels.
        BackendMetrics.shared.request(method: "\(request.method)", route: context.endpointPath ?? "unmatched", status: Int(status.code), seconds: seconds)
        let metadata: Logger.Metadata = [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status.code)",
            "ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
        ]
        if status.code >= 500 {
            context.logger.error("request", metadata: metadata)
        } else {
            context.logger.debug("request", metadata: metadata)
        }
    }
}
