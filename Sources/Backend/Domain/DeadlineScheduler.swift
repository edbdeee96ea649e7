import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Evaluates each check when its next deadline passes (a heartbeat due, a silence ending), not
/// on a fixed poll. One backend leads; the others wait and take over when its lock goes.
struct DeadlineScheduler: Service {
    var store: any LeadershipRepository
    var alerting: AlertingService
    var backend: String
    var leader: LeaderFlag
    var logger: Logger
    /// A full rescan catches checks other backends created.
    var rescanEvery: Double = 30
    var beatEvery: Double = 5
    /// A follower tries to take over this often.
    var retryEvery: Duration = .seconds(2)

    func run() async throws {
        let startedAt = Date()
        var followed = Date.distantPast
        while !Task.isCancelled {
            do {
                let led = try await store.lead(backend: backend, startedAt: startedAt) { beat in try await lead(beat: beat) }
                if !led {
                    leader.set(false)
                    // Followers beat too, so that they can tell which of them watches the leader.
                    // A failed beat is StorageWatch's to report.
                    if Date().timeIntervalSince(followed) >= beatEvery {
                        try? await store.follow(backend: backend, startedAt: startedAt)
                        followed = Date()
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                // Lost the lock (or the session): stop delivering at once, so two backends never
                // spend one channel's budget.
                leader.set(false)
                if Task.isCancelled { return }
                logger.warning("evaluation stopped; trying again", metadata: ["error": "\(LoggedError.text(error))"])
            }
            try? await Task.sleep(for: retryEvery)
        }
    }

    private func lead(beat: @Sendable () async throws -> Void) async throws {
        leader.set(true)
        logger.info("leading evaluation", metadata: ["backend": "\(backend)"])
        let queue = alerting.deadlines
        var lastBeat = Date.distantPast
        var lastRescan = Date.distantPast
        while !Task.isCancelled {
            var now = Date()
            if now.timeIntervalSince(lastBeat) >= beatEvery {
                try await beat()
                lastBeat = now
            }
            if now.timeIntervalSince(lastRescan) >= rescanEvery {
                let generation = queue.beginRescan()
                queue.replaceAll(try await alerting.wakeTimes(now: now), generation: generation)
                lastRescan = now
                now = Date()
            }
            let earliest = queue.next
            let due = queue.takeDue(now: now, limit: 500)
            BackendMetrics.shared.evaluator(lag: earliest.map { max(0, now.timeIntervalSince($0)) } ?? 0, queue: queue.count, beat: lastBeat)
            if !due.isEmpty {
                let outcome = try await alerting.evaluate(ids: due, now: now)
                // Left out because a report was being written: look again shortly.
                let missed = Set(due).subtracting(outcome.evaluated)
                for id in missed { queue.push(id, at: now.addingTimeInterval(0.5)) }
                continue
            }
            let next = min(queue.next ?? .distantFuture, now.addingTimeInterval(1), lastBeat.addingTimeInterval(beatEvery))
            let wait = next.timeIntervalSince(Date())
            if wait > 0 { try await Task.sleep(for: .microseconds(Int64(wait * 1_000_000))) }
        }
    }
}

/// Whether this backend leads evaluation (or led it last): only the leader sends the direct
/// "storage unreachable" message, so an outage gives one message, not one per backend.
final class LeaderFlag: Sendable {
    private let value = Mutex(false)
    func set(_ leading: Bool) {
        value.withLock { $0 = leading }
        BackendMetrics.shared.evaluator(leader: leading)
    }
    var isLeader: Bool { value.withLock { $0 } }
}
