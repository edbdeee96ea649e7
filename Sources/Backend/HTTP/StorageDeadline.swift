/// How long a request waits for the database before it answers 503, inside the sender's default 10 s
/// timeout: while PostgreSQL is down the pool waits for a connection forever, and a sender must
/// hear "retry later", not hang.
let storageDeadline: Duration = .seconds(8)

/// Storage gave no answer within the deadline; `StorageErrorMiddleware` answers it with a 503.
struct StorageTimeout: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "storage gave no answer within \(limit.components.seconds) s" }
}

/// Runs storage work for a request, and throws `StorageTimeout` once `limit` passes. For routes
/// whose bodies may take longer than that to arrive (`StorageDeadlineRoutes` covers the others).
/// Work cut off may still commit later: senders' retries are deduplicated (report id, cursor).
func withStorageDeadline<T: Sendable>(limit: Duration = storageDeadline, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    switch await withDeadline(limit, work) {
    case .success(let value)?: return value
    case .failure(let error)?: throw error
    case nil: throw StorageTimeout(limit: limit)
    }
}
