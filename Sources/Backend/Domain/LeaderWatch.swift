import Foundation
import Logging
import ServiceLifecycle

/// Watches the leader from the followers. A hung leader (stopped, stuck in a call) keeps its
/// lock, so nobody takes over and no deadline is evaluated: one follower tells every channel
/// directly, as StorageWatch does, and tells again once a leader beats. After `takeOverAfter`
/// it ends the hung leader's database session, which frees the lock for a follower to take.
/// On SQLite one process always leads: there is nobody to watch.
struct LeaderWatch: Service {
    var leadership: Leadership
    var notifiers: [String: any Notifier]
    var logger: Logger
    var interval: Duration = .seconds(5)
    /// Seconds a leader may stay hung before its session is ended; nil: never.
    var takeOverAfter: Double? = 120

    func run() async throws {
        // The hung leader this backend told of, and since when it was hung.
        var told: (leader: String, since: Date)?
        var ended: String?
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let beats = try? await leadership.store.beats() else { continue }
            let now = Date()
            let leader = Leadership.leader(beats)
            let staleAfter = leadership.staleAfter
            // A backend that just took the lock has not beaten yet: the stale row is its predecessor's.
            if let leader, leader.age > staleAfter, leader.backend != leadership.backend, !leadership.flag.isLeader {
                guard told?.leader == leader.backend || Leadership.isTeller(leadership.backend, beats: beats, staleAfter: staleAfter) else { continue }
                if told == nil {
                    let since = now.addingTimeInterval(-leader.age)
                    logger.error("the evaluation leader stopped beating; telling every channel directly", metadata: ["leader": "\(leader.backend)"])
                    var text = "🔴 metrics-backend: the evaluation leader \(leader.backend) has not beaten for \(Durations.words(leader.age)) "
                        + "but still holds the lock: deadlines are not evaluated, and missed heartbeats and down hosts go unheard."
                    if let takeOverAfter { text += " Its database session is ended after \(Durations.words(takeOverAfter)) so that another backend can lead." }
                    await DirectMessage.tellEveryone(text, notifiers: notifiers, logger: logger)
                    told = (leader.backend, since)
                }
                if let takeOverAfter, leader.age > takeOverAfter, ended != leader.backend {
                    do {
                        let done = try await leadership.store.endLeaderSession(staleAfter: takeOverAfter)
                        // Tried once per hung leader; a failure is tried again on the next look.
                        ended = leader.backend
                        logger.error("ended the hung leader's database session", metadata: ["leader": "\(leader.backend)", "ended": "\(done)"])
                    } catch {
                        logger.error("could not end the hung leader's database session", metadata: ["leader": "\(leader.backend)", "error": "\(LoggedError.text(error))"])
                    }
                }
            } else if let hung = told, let leader, leader.age <= staleAfter {
                let after = Durations.words(now.timeIntervalSince(hung.since))
                let text = leader.backend == hung.leader
                    ? "✅ metrics-backend: the evaluation leader \(leader.backend) beats again after \(after)"
                    : "✅ metrics-backend: \(leader.backend) leads evaluation now, after \(after) without a leader"
                logger.notice("evaluation has a live leader again", metadata: ["leader": "\(leader.backend)"])
                await DirectMessage.tellEveryone(text, notifiers: notifiers, logger: logger)
                told = nil
                ended = nil
            }
        }
    }
}
