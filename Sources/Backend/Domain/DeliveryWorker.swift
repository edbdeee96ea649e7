import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers the outbox, each channel on its own so a slow one delays no other. A channel that
/// folds sends everything due as one message, then waits out its budget and the group
/// interval; what arrives meanwhile folds into its next message, so nothing queues for minutes
/// and a host's first alert waits at most one interval. Only the leader delivers, so the
/// budgets hold however many backends share the database.
struct DeliveryWorker: Service {
    var outbox: OutboxService
    var notifiers: [String: any Notifier]
    var signal: WakeSignal
    /// nil: this backend always delivers.
    var leader: LeaderFlag?
    var logger: Logger
    /// Flips within this many seconds of a channel's last message fold into its next.
    var groupInterval: Double = 1
    /// A claim lasts this long: a backend that dies mid-send leaves the message to another.
    var lease: Double = 30
    /// Give up on a message this old (it is kept, marked failed, with the last error).
    var giveUpAfter: Double = 86400
    /// Notifications in one message at most; a group page lists them all.
    var groupLimit = 1000
    /// Messages in flight at once on a channel that does not fold.
    var concurrency = 16

    func run() async throws {
        let wakes = Dictionary(uniqueKeysWithValues: notifiers.keys.map { ($0, WakeSignal()) })
        await withTaskGroup(of: Void.self) { group in
            for (channel, notifier) in notifiers {
                group.addTask { await deliver(channel: channel, with: notifier, wake: wakes[channel]!) }
            }
            // One signal for the evaluator to wake, passed on to every channel.
            group.addTask {
                while !Task.isCancelled {
                    await signal.wait(timeout: .seconds(60))
                    for wake in wakes.values { wake.wake() }
                }
            }
        }
    }

    private func deliver(channel: String, with notifier: any Notifier, wake: WakeSignal) async {
        let budget = notifier.budget
        let spacing = budget.folds ? max(budget.spacing, groupInterval) : budget.spacing
        var allowedAt = Date.distantPast
        while !Task.isCancelled {
            let now = Date()
            if now < allowedAt {
                await wake.wait(timeout: .microseconds(Int64(allowedAt.timeIntervalSince(now) * 1_000_000)))
                continue
            }
            guard leader?.isLeader ?? true else {
                await wake.wait(timeout: .seconds(1))
                continue
            }
            let items: [Notification]
            do {
                items = try await outbox.claim(channel: channel, now: now, lease: lease, limit: budget.folds ? groupLimit : 2 * concurrency, folds: budget.folds)
            } catch {
                logger.warning("the outbox could not be read; retrying", metadata: ["channel": "\(channel)", "error": "\(LoggedError.text(error))"])
                await wake.wait(timeout: .seconds(2))
                continue
            }
            // Nothing due: a retry's or an escalation's time comes without a wake.
            if items.isEmpty {
                await wake.wait(timeout: .seconds(1))
                continue
            }
            let pause = budget.folds ? await sendGroup(items, with: notifier) : await sendEach(items, with: notifier)
            allowedAt = max(Date().addingTimeInterval(spacing), pause ?? .distantPast)
        }
    }

    /// Sends the notifications as one message. Returns until when the channel asked to wait.
    private func sendGroup(_ items: [Notification], with notifier: any Notifier) async -> Date? {
        var results: [(id: Int64, result: OutboxResult)] = []
        var pause: Date?
        let group = outbox.group(items)
        if !items.isEmpty {
            let attempt = await notifier.send(group)
            // One outcome for the whole group, so a retry sends the same group again: by the
            // most attempts among them, and given up by the oldest.
            var lead = items[0]
            lead.attempts = items.map(\.attempts).max() ?? lead.attempts
            lead.createdAt = items.map(Self.giveUpFrom).min() ?? lead.createdAt
            lead.heldUntil = nil
            let outcome = outcome(of: attempt, for: lead)
            if outcome.channelPause, case .retry(let at, _) = outcome.result { pause = at }
            results = items.map { ($0.id, outcome.result) }
        }
        await finish(results, group: group.id, channel: items.first?.channel ?? "")
        return pause
    }

    /// Sends each notification alone, several at a time: a claim holds at most one message per
    /// check, so order within a check holds. A channel that asks to wait (429) pauses; what was
    /// not yet sent waits with it. Returns until when the channel is paused.
    private func sendEach(_ batch: [Notification], with notifier: any Notifier) async -> Date? {
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
        await finish(results, group: nil, channel: batch.first?.channel ?? "")
        return paused.until
    }

    private func finish(_ results: [(id: Int64, result: OutboxResult)], group: Int64?, channel: String) async {
        let delivered = results.filter { $0.result == .delivered }.count
        BackendMetrics.shared.delivery(channel: channel, delivered: delivered, failed: results.count - delivered)
        do {
            try await outbox.finish(results, group: group, now: Date())
        } catch {
            // The claims lapse and the messages go again: at least once.
            logger.warning("the outcome of deliveries could not be stored", metadata: ["error": "\(LoggedError.text(error))"])
        }
    }

    /// A held notification waits on purpose: its day of retries starts when the hold ends.
    static func giveUpFrom(_ item: Notification) -> Date { max(item.createdAt, item.heldUntil ?? item.createdAt) }

    private func outcome(of attempt: DeliveryAttempt, for item: Notification) -> (result: OutboxResult, channelPause: Bool) {
        let now = Date()
        switch attempt {
        case .delivered:
            return (.delivered, false)
        case .rejected(let error):
            logger.error("a channel refused a message; it will not be retried", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
            return (.failed(error), false)
        case .retry(let after, let error):
            if now.timeIntervalSince(Self.giveUpFrom(item)) > giveUpAfter {
                logger.error("giving up on a message", metadata: ["channel": "\(item.channel)", "error": "\(error)"])
                return (.failed("gave up after \(Durations.words(giveUpAfter)): \(error)"), false)
            }
            // A service's wait is taken at its word, within reason: an hour at most, and a
            // wait that is not a number (inf, nan) is no wait the channel can be given.
            let wait = after.map { $0.isFinite ? min(3600, max(0, $0)) : 60 } ?? Self.backoff(attempt: item.attempts)
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
