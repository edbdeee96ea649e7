import Foundation
import Shared

/// Which notifications a set of channels gets, from the rules file's `[routes."NAME"]`. Empty
/// lists match everything. A recovery, reminder or flapping notice matches by the problem state
/// it is about, so it follows the alert to the same channels.
struct Route: Sendable, Equatable {
    var name: String
    var channels: [Glob]
    var hosts: [Glob] = []
    /// The host has any of these tags.
    var tags: [String] = []
    var checks: [Glob] = []
    var kinds: [CheckKind] = []
    /// Problem states: `alert`, `no-data`.
    var states: [CheckState] = []
    /// Escalation: the channels hear of a problem only once it has lasted this many seconds.
    var after: Double = 0

    func matches(_ message: NotificationMessage) -> Bool {
        let state = message.kind == .recovery ? message.from : message.to
        return hosts.matchesAny(message.host) && HostTags.picks(tags, message.tags ?? [])
            && checks.matchesAny(message.check)
            && (kinds.isEmpty || kinds.contains(message.checkKind)) && (states.isEmpty || states.contains(state))
    }

    /// A problem waits out the escalation; a recovery does not, and cancels a problem still held.
    func delay(for message: NotificationMessage) -> Double {
        switch message.kind {
        case .problem, .flapping: return after
        case .recovery, .reminder: return 0
        }
    }

    /// Longest escalation: a problem held longer would outlive the outbox's give-up.
    static let maxAfter: Double = 7 * 86400
}

/// The routes over the configured channels: turns a message into its deliveries. Without routes every channel gets everything.
struct RouteTable: Sendable, Equatable {
    var channels: [String]
    var routes: [Route] = []

    func deliveries(for message: NotificationMessage) -> [Delivery] {
        let cancels = message.kind == .recovery
        guard !routes.isEmpty else { return channels.map { Delivery(channel: $0, cancelsHeld: cancels) } }
        var delays: [String: Double] = [:]
        for route in routes where route.matches(message) {
            let delay = route.delay(for: message)
            for channel in channels where route.channels.contains(where: { $0.matches(channel) }) {
                // Two routes to one channel: the sooner wins.
                delays[channel] = min(delays[channel] ?? delay, delay)
            }
        }
        return channels.compactMap { channel in delays[channel].map { Delivery(channel: channel, delay: $0, cancelsHeld: cancels) } }
    }

    /// A route whose channel pattern names no configured channel is a typo, not a wish.
    func unmatchedChannelPatterns() -> [(route: String, pattern: String)] {
        routes.flatMap { route in
            route.channels.filter { pattern in !channels.contains { pattern.matches($0) } }.map { (route.name, $0.pattern) }
        }
    }
}
