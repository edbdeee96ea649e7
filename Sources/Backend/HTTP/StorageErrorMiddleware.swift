import Hummingbird
import Logging

/// Answers what a handler threw without answering it: a store's refusal as its 4xx, a storage
/// failure or a wait past `storageDeadline` as a 503 to retry later, anything else as a 500, with
/// the details in the log only. Errors that are answers already (`APIError`, the pages' errors and redirects)
/// pass as they are.
struct StorageErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw StorageErrors.answer(error, logger: context.logger)
        }
    }
}

/// The middleware's rule, also for the routes that answer errors in a form of their own (pings).
enum StorageErrors {
    static func answer(_ error: any Error, logger: Logger) -> any Error {
        switch error {
        case is any HTTPResponseError:
            return error
        case let refusal as any StoreRefusal:
            var answer = APIError(refusal.status, refusal.message, field: refusal.field)
            if refusal.status == .serviceUnavailable { answer.headers[.retryAfter] = "5" }
            return answer
        case let timeout as StorageTimeout:
            logger.error("storage call got no answer in time", metadata: ["seconds": "\(timeout.limit.components.seconds)"])
            return APIError.storageUnavailable
        case _ where isStorage(error):
            logger.error("storage call failed", metadata: ["error": "\(LoggedError.text(error))"])
            return APIError.storageUnavailable
        default:
            // A fault of ours, not the database's: a sender must not retry it as if storage were down.
            logger.error("request failed", metadata: ["error": "\(LoggedError.text(error))"])
            return APIError(.internalServerError, "the backend failed to answer; see its log")
        }
    }

    /// Errors of the stores and of the database drivers and their connections.
    static func isStorage(_ error: any Error) -> Bool {
        if error is StoreError || error is CancellationError { return true }
        let module = String(reflecting: type(of: error)).prefix { $0 != "." }
        return ["PostgresNIO", "_ConnectionPoolModule", "SQLiteNIO", "NIOCore", "NIOPosix"].contains(String(module))
    }
}
