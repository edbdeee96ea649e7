import Foundation
import Logging
import ServiceLifecycle

/// Delivers the outbox: claims due messages, sends each on its channel, and records the outcome.
/// Channels work side by side; within a channel messages go one at a time, oldest first, so a
/// check's messages arrive in order. Every backend runs one; claims keep them apart.
struct DeliveryWorker: Service {
    var store: any Store
    var notifiers: [String: any Notifier]
    var signal: WakeSignal
    var logger: Logger
    /// A claim lasts this long: a backend that dies mid-send leaves the message to another.
    var lease: Double = 60
    /// Give up on a message this old (it is kept, marked failed, with the last error).
    var giveUpAfter: Double = 86400

    func run() async throws {
        var pausedUntil: [String: Date] = [:]
        while !Task.isCancelled {
            let now = Date()
            let open = notifiers.keys.filter { (pausedUntil[$0] ?? .distantPast) <= now }.sorted()
            let items: [OutboxItem]
            do {
                items = try await store.claimNotifications(now: now, lease: lease, limit: 100, channels: open)
            } catch {
                logger.warning("the outbox could not be read; retrying", metadata: ["error": "\(String(reflecting: error))"])
                await signal.wait(timeout: .seconds(2))
                continue
            }
            if items.isEmpty {
                let resume = pausedUntil.values.filter { $0 > now }.min().map { $0.timeIntervalSince(now) } ?? 1
                await signal.wait(timeout: .milliseconds(Int64(min(1, max(0.01, resume)) * 1000)))
                continue
            }
            let byChannel = Dictionary(grouping: items, by: \.channel)
            let pauses = await withTaskGroup(of: (String, Date?).self) { group in
                for (channel, batch) in byChannel {
                    guard let notifier = notifiers[channel] else { continue }
                    group.addTask { (channel, await deliver(batch, with: notifier)) }
                }
                var pauses: [String: Date] = [:]
                for await (channel, until) in group { if let until { pauses[channel] = until } }
                return pauses
            }
            pausedUntil.merge(pauses) { max($0, $1) }
        }
    }

    /// Sends in order; a channel that asks to wait (429) pauses, and the rest of the batch waits
    /// with it. Returns until when the channel is paused.
    private func deliver(_ batch: [OutboxItem], with notifier: any Notifier) async -> Date? {
        var pausedUntil: Date?
        for item in batch {
            if let pausedUntil {
                await finish(item, .retry(at: pausedUntil, error: "waiting: the channel asked to slow down"))
                continue
            }
            let attempt = await notifier.send(item.event)
            let now = Date()
            switch attempt {
            case .delivered:
                await finish(item, .delivered)
            case .rejected(let error):
                logger.error("a channel refused a message; it will not be retried", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
                await finish(item, .failed(error))
            case .retry(let after, let error):
                if now.timeIntervalSince(item.createdAt) > giveUpAfter {
                    logger.error("giving up on a message", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
                    await finish(item, .failed("gave up after \(Durations.words(giveUpAfter)): \(error)"))
                    continue
                }
                let wait = after ?? Self.backoff(attempt: item.attempts)
                logger.warning("delivery failed; will retry", metadata: ["channel": "\(item.channel)", "in": "\(wait)s", "error": "\(error)"])
                let at = now.addingTimeInterval(wait)
                if after != nil { pausedUntil = at }
                await finish(item, .retry(at: at, error: error))
            }
        }
        return pausedUntil
    }

    private func finish(_ item: OutboxItem, _ result: OutboxResult) async {
        do {
            try await store.finishNotification(id: item.id, result, now: Date())
        } catch {
            // The claim expires and the message goes again: at least once.
            logger.warning("the outcome of a delivery could not be stored", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// 1 s, 2 s, 4 s … at most a minute, so a channel that comes back is used again soon.
    static func backoff(attempt: Int) -> Double {
        min(60, pow(2, Double(max(0, attempt - 1))))
    }
}
