import Hummingbird
import Logging

/// Runs a store call for a request. A database failure becomes a 503 the sender retries; the
/// details go to the log, not to the caller.
func withStorage<T>(_ logger: Logger, _ work: () async throws -> T) async throws -> T {
    do {
        return try await work()
    } catch let error as APIError {
        throw error
    } catch {
        logger.error("storage call failed", metadata: ["error": "\(String(reflecting: error))"])
        var unavailable = APIError(.serviceUnavailable, "storage is unavailable; retry later")
        unavailable.headers[.retryAfter] = "5"
        throw unavailable
    }
}
