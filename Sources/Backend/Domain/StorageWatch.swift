import Foundation
import Logging
import ServiceLifecycle

/// Watches the database itself. The outbox lives in the database, so when it is unreachable the
/// leader tells every channel directly: one message when it goes, one when it is back.
struct StorageWatch: Service {
    var store: any Store
    var notifiers: [String: any Notifier]
    var leader: LeaderFlag
    var logger: Logger
    var interval: Duration = .seconds(5)
    /// Failed pings in a row before the message: a blip is not an outage.
    var failuresBeforeMessage = 3

    func run() async throws {
        var failures = 0
        var downSince: Date?
        var told = false
        while !Task.isCancelled {
            let reachable = await Self.answers(store, within: .seconds(4))
            let now = Date()
            if reachable {
                if told, let since = downSince {
                    let text = "✅ metrics-backend: storage reachable again after \(Durations.words(now.timeIntervalSince(since)))"
                    logger.notice("storage reachable again")
                    await tellEveryone(text)
                }
                failures = 0
                downSince = nil
                told = false
            } else {
                failures += 1
                if downSince == nil { downSince = now }
                if failures >= failuresBeforeMessage && !told && leader.isLeader {
                    logger.error("storage unreachable; telling every channel directly")
                    await tellEveryone("🔴 metrics-backend: storage unreachable since \(Self.time(downSince ?? now)); alerts are held until it is back")
                    told = true
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func tellEveryone(_ text: String) async {
        await DirectMessage.tellEveryone(text, notifiers: notifiers, logger: logger)
    }

    static func answers(_ store: any Store, within limit: Duration) async -> Bool {
        (try? await withDeadline(limit, { try await store.ping() })?.get()) != nil
    }

    static func time(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Pings `SELF_HEARTBEAT_URL` every minute while the backend runs and its storage answers, so
/// an outside service (Healthchecks, Uptime Kuma) notices when this one stops.
struct SelfHeartbeat: Service {
    var url: String
    var store: any Store
    var logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            if await StorageWatch.answers(store, within: .seconds(4)) {
                let result = await NotifierHTTP.get(url)
                if let problem = result { logger.warning("the self-heartbeat ping failed", metadata: ["error": "\(problem)"]) }
            }
            try? await Task.sleep(for: .seconds(60))
        }
    }
}
