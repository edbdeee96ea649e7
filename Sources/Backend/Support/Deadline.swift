import Synchronization

/// Runs `work` and answers with its result, or nil once `limit` passes. Not a task group: a group
/// would wait for work that never ends, as a database pool retrying a dead server does. On time
/// out the work is cancelled after the answer, so its own cancellation error cannot win the race.
func withDeadline<T: Sendable>(_ limit: Duration, watch: DeadlineWatch = .shared, _ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, any Error>?, Never>) in
        let answered = Mutex(false)
        let resume: @Sendable (Result<T, any Error>?) -> Void = { value in
            guard answered.withLock({ done in defer { done = true }; return !done }) else { return }
            continuation.resume(returning: value)
        }
        let running = Mutex<Task<Void, Never>?>(nil)
        let ticket = watch.watch(until: .now + limit) {
            resume(nil)
            running.withLock { $0 }?.cancel()
        }
        running.withLock { task in
            task = Task {
                do { resume(.success(try await work())) } catch { resume(.failure(error)) }
                ticket.done()
            }
        }
    }
}
