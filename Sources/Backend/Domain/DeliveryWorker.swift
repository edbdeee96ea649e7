import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers the outbox: claims due messages, sends each on its channel, and records the outcome.
/// Channels work side by side; within a channel messages go one at a time, oldest first, so a
/// check's messages arrive in order. Every backend runs one; claims keep them apart.
struct DeliveryWorker: Service {
    var outbox: OutboxService
    var notifiers: [String: any Notifier]
    var signal: WakeSignal
    var logger: Logger
    /// A claim lasts this long: a backend that dies mid-send leaves the message to another. A
    /// round claims at most two sends' worth per slot, each bounded by the 10 s HTTP timeout.
    var lease: Double = 30
    /// Give up on a message this old (it is kept, marked failed, with the last error).
    var giveUpAfter: Double = 86400
    /// Messages in flight at once per channel.
    var concurrency = 16

    func run() async throws {
        var pausedUntil: [String: Date] = [:]
        while !Task.isCancelled {
            let now = Date()
            let open = notifiers.keys.filter { (pausedUntil[$0] ?? .distantPast) <= now }.sorted()
            let items: [Notification]
            do {
                items = try await outbox.claim(now: now, lease: lease, limit: 2 * concurrency, channels: open)
            } catch {
                logger.warning("the outbox could not be read; retrying", metadata: ["error": "\(LoggedError.text(error))"])
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

    /// Sends a channel's batch, several at a time: a batch holds at most one message per check,
    /// so order within a check holds. A channel that asks to wait (429) pauses; what was not yet
    /// sent waits with it. Returns until when the channel is paused.
    private func deliver(_ batch: [Notification], with notifier: any Notifier) async -> Date? {
        let paused = ChannelPause()
        var results: [(id: Int64, result: OutboxResult)] = []
        await withTaskGroup(of: (Int64, OutboxResult).self) { group in
            var next = batch.makeIterator()
            func start() -> Bool {
                guard let item = next.next() else { return false }
                group.addTask {
                    if let until = paused.until { return (item.id, .retry(at: until, error: "waiting: the channel asked to slow down")) }
                    let outcome = outcome(of: await notifier.send(NotificationGroup(single: item.message, id: item.id)), for: item)
                    if case .retry(let at, _) = outcome.result, outcome.channelPause {
                        paused.extend(to: at)
                    }
                    return (item.id, outcome.result)
                }
                return true
            }
            for _ in 0..<concurrency { guard start() else { break } }
            for await result in group {
                results.append(result)
                _ = start()
            }
        }
        let delivered = results.filter { $0.result == .delivered }.count
        BackendMetrics.shared.delivery(channel: batch.first?.channel ?? "", delivered: delivered, failed: results.count - delivered)
        do {
            try await outbox.finish(results, now: Date())
        } catch {
            // The claims lapse and the messages go again: at least once.
            logger.warning("the outcome of deliveries could not be stored", metadata: ["error": "\(LoggedError.text(error))"])
        }
        return paused.until
    }

    private func outcome(of attempt: DeliveryAttempt, for item: Notification) -> (result: OutboxResult, channelPause: Bool) {
        let now = Date()
        switch attempt {
        case .delivered:
            return (.delivered, false)
        case .rejected(let error):
            logger.error("a channel refused a message; it will not be retried", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
            return (.failed(error), false)
        case .retry(let after, let error):
            if now.timeIntervalSince(item.createdAt) > giveUpAfter {
                logger.error("giving up on a message", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
                return (.failed("gave up after \(Durations.words(giveUpAfter)): \(error)"), false)
            }
            let wait = after ?? Self.backoff(attempt: item.attempts)
            logger.warning("delivery failed; will retry", metadata: ["channel": "\(item.channel)", "in": "\(wait)s", "error": "\(error)"])
            return (.retry(at: now.addingTimeInterval(wait), error: error), after != nil)
        }
    }

    /// 1 s, 2 s, 4 s … at most a minute, so a channel that comes back is used again soon.
    static func backoff(attempt: Int) -> Double {
        min(60, pow(2, Double(max(0, attempt - 1))))
    }
}

/// Until when a channel asked to wait, shared by the sends of one batch.
final class ChannelPause: Sendable {
    private let value = Mutex<Date?>(nil)
    var until: Date? { value.withLock { $0 } }
    func extend(to date: Date) { value.withLock { $0 = max($0 ?? date, date) } }
}
