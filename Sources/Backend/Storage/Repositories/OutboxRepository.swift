import Foundation

/// A notification as the outbox holds it: its message still as stored text.
struct StoredNotification: Sendable {
    var id: Int64
    var channel: String
    var checkKey: String
    var message: String
    var attempts: Int
    var createdAt: Date
}

/// Notifications waiting for delivery.
protocol OutboxRepository: Sendable {
    /// Claims due notifications for `lease` seconds, at most one per check and channel and
    /// only a check's oldest undelivered one, so that a check's messages go out in order.
    func claimNotifications(now: Date, lease: Double, limit: Int, channels: [String]) async throws -> [StoredNotification]
    func markDelivered(ids: [Int64], at: Date) async throws
    /// Releases the claim; tried again from `at`.
    func reschedule(id: Int64, at: Date, error: String) async throws
    func markFailed(id: Int64, error: String, at: Date) async throws
    /// Notifications not yet delivered (nor given up).
    func outboxDepth() async throws -> Int
}
