import Hummingbird
import Logging

/// How long a request waits for the database before it answers 503, inside the sender's default 10 s
/// timeout: while PostgreSQL is down the pool waits for a connection forever, and a sender must
/// hear "retry later", not hang.
let storageDeadline: Duration = .seconds(8)

/// Runs a store call for a request. A database failure, or no answer within `storageDeadline`,
/// becomes a 503 the sender retries; the details go to the log, not to the caller. Work cut off by
/// the deadline may still commit later: senders' retries are deduplicated (report id, cursor).
func withStorage<T: Sendable>(_ logger: Logger, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    var unavailable = APIError(.serviceUnavailable, "storage is unavailable; retry later")
    unavailable.headers[.retryAfter] = "5"
    switch await withDeadline(storageDeadline, work) {
    case .success(let value)?:
        return value
    case .failure(let error as APIError)?:
        throw error
    case .failure(let refusal as any StoreRefusal)?:
        var error = APIError(refusal.status, refusal.message, field: refusal.field)
        if refusal.status == .serviceUnavailable { error.headers[.retryAfter] = "5" }
        throw error
    case .failure(let error)?:
        logger.error("storage call failed", metadata: ["error": "\(LoggedError.text(error))"])
        throw unavailable
    case nil:
        logger.error("storage call got no answer in time", metadata: ["seconds": "\(storageDeadline.components.seconds)"])
        throw unavailable
    }
}

/// A store's refusal of what was asked, not a failure: the caller hears why, as a 4xx.
protocol StoreRefusal: Error {
    var status: HTTPResponse.Status { get }
    var message: String { get }
    var field: String? { get }
}
