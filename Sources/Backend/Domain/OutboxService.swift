import Foundation

/// Notifications between the evaluator and the channels: claimed a channel at a time, folded
/// into groups, then finished.
struct OutboxService: Sendable {
    let store: any OutboxRepository
    /// Groups link to their page under this address (PUBLIC_URL).
    var publicURL: String?

    /// Claims a channel's due notifications, hosts in turn: for a channel that folds, every due
    /// one (they go as one message, in order); else only each check's oldest. One whose stored
    /// message cannot be read is given up at once, with the reason, rather than claimed forever.
    func claim(channel: String, now: Date, lease: Double, limit: Int, folds: Bool) async throws -> [Notification] {
        var items: [Notification] = []
        for stored in try await store.claimNotifications(channel: channel, now: now, lease: lease, limit: limit, oldestOfEachCheck: !folds) {
            guard let item = Self.notification(stored) else {
                try await store.markFailed(id: stored.id, error: "the stored message could not be read", at: now)
                continue
            }
            items.append(item)
        }
        return Self.fairOrder(items)
    }

    static func notification(_ stored: StoredNotification) -> Notification? {
        guard let message = try? NotificationMessage.parse(stored.message) else { return nil }
        return Notification(id: stored.id, channel: stored.channel, host: stored.host, checkKey: stored.checkKey, message: message,
                            attempts: stored.attempts, createdAt: stored.createdAt, heldUntil: stored.heldUntil)
    }

    /// Each host's first notification, then each host's second …; hosts by their oldest.
    static func fairOrder(_ items: [Notification]) -> [Notification] {
        var queues: [String: [Notification]] = [:]
        var hosts: [String] = []
        for item in items.sorted(by: { $0.id < $1.id }) {
            if queues[item.host] == nil { hosts.append(item.host) }
            queues[item.host, default: []].append(item)
        }
        var ordered: [Notification] = []
        ordered.reserveCapacity(items.count)
        var turn = 0
        while ordered.count < items.count {
            for host in hosts where turn < queues[host]!.count { ordered.append(queues[host]![turn]) }
            turn += 1
        }
        return ordered
    }

    /// One message for these notifications, named by the smallest id; its page lists them all.
    func group(_ items: [Notification]) -> NotificationGroup {
        let id = items.map(\.id).min() ?? 0
        let link = items.count > 1 ? publicURL.map { "\($0.hasSuffix("/") ? String($0.dropLast()) : $0)/notifications/\(id)" } : nil
        return NotificationGroup(id: id, messages: items.map(\.message), link: link, members: items.map(\.id))
    }

    /// Records how each attempt ended: the delivered all at once, in `group` when they went as one.
    func finish(_ results: [(id: Int64, result: OutboxResult)], group: Int64? = nil, now: Date) async throws {
        try await store.markDelivered(ids: results.filter { $0.result == .delivered }.map(\.id), at: now, group: group)
        for (id, result) in results {
            switch result {
            case .delivered: continue
            case .retry(let at, let error): try await store.reschedule(id: id, at: at, error: error)
            case .failed(let error): try await store.markFailed(id: id, error: error, at: now)
            }
        }
    }

    /// The notifications a group went out with, for its page.
    func groupMembers(id: Int64) async throws -> [(notification: Notification, deliveredAt: Date?)] {
        try await store.notificationGroup(id: id, limit: 10_000).compactMap { stored in
            Self.notification(stored).map { ($0, stored.deliveredAt) }
        }
    }

    func depth() async throws -> Int { try await store.outboxDepth() }
}
