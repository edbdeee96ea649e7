import Foundation

/// A notification as the outbox holds it: its message still as stored text.
struct StoredNotification: Sendable {
    var id: Int64
    var channel: String
    var host: String
    var checkKey: String
    var message: String
    var attempts: Int
    var createdAt: Date
    /// Held back by a route's escalation: a recovery before this time cancels it.
    var heldUntil: Date?
    var deliveredAt: Date?
}

/// Notifications waiting for delivery.
protocol OutboxRepository: Sendable {
    /// Claims one channel's due notifications for `lease` seconds, hosts in turn (each host's
    /// first, then each host's second …), so one noisy host cannot push out another's. A
    /// notification waits while an older one of its check is not yet due or is claimed, so that
    /// a check's messages go out in order; with `oldestOfEachCheck`, while any older one waits.
    func claimNotifications(channel: String, now: Date, lease: Double, limit: Int, oldestOfEachCheck: Bool) async throws -> [StoredNotification]
    /// Marks them delivered in the group named by its smallest id (nil: each alone).
    func markDelivered(ids: [Int64], at: Date, group: Int64?) async throws
    /// The notifications a group went out with, for its page; at most `limit`.
    func notificationGroup(id: Int64, limit: Int) async throws -> [StoredNotification]
    /// Releases the claim; tried again from `at`.
    func reschedule(id: Int64, at: Date, error: String) async throws
    func markFailed(id: Int64, error: String, at: Date) async throws
    /// Notifications not yet delivered (nor given up).
    func outboxDepth() async throws -> Int
}
