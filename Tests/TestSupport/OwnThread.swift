import Foundation

/// Runs blocking work (a child process, a wait) on a thread of its own. Swift's cooperative pool
/// has one thread per core, two on our machines: a test blocking one stalls every other test's
/// database calls, which then miss their deadlines.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
