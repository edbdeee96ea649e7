import Foundation

/// Notifications between the evaluator and the channels: claimed for delivery, then finished.
struct OutboxService: Sendable {
    let store: any OutboxRepository

    /// Claims due notifications, oldest first. One whose stored message cannot be read is given
    /// up at once, with the reason, rather than claimed again forever.
    func claim(now: Date, lease: Double, limit: Int, channels: [String]) async throws -> [Notification] {
        var items: [Notification] = []
        for stored in try await store.claimNotifications(now: now, lease: lease, limit: limit, channels: channels) {
            guard let message = try? NotificationMessage.parse(stored.message) else {
                try await store.markFailed(id: stored.id, error: "the stored message could not be read", at: now)
                continue
            }
            items.append(Notification(id: stored.id, channel: stored.channel, checkKey: stored.checkKey, message: message,
                                    attempts: stored.attempts, createdAt: stored.createdAt))
        }
        return items.sorted { $0.id < $1.id }
    }

    /// Records how each attempt ended: the delivered all at once.
    func finish(_ results: [(id: Int64, result: OutboxResult)], now: Date) async throws {
        try await store.markDelivered(ids: results.filter { $0.result == .delivered }.map(\.id), at: now)
        for (id, result) in results {
            switch result {
            case .delivered: continue
            case .retry(let at, let error): try await store.reschedule(id: id, at: at, error: error)
            case .failed(let error): try await store.markFailed(id: id, error: error, at: now)
            }
        }
    }

    func depth() async throws -> Int { try await store.outboxDepth() }
}
