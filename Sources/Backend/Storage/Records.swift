import Foundation
import Shared

/// The state of a check as alerting sees it.
enum CheckState: String, Codable, Sendable, CaseIterable {
    case ok, alert
    case noData = "no-data"
}

struct HostRecord: Codable, Sendable, Equatable {
    var name: String
    var bootId: String?
    var sender: String?
    var firstSeen: Date
    var lastReportAt: Date
    var checks: Int
    /// Seconds the host's clock was ahead of the backend's (negative: behind) in its newest report.
    var clockOffset: Double? = nil
    /// As its newest report that told them gave them.
    var tags: [String] = []
}

/// What a check watches: a kind a sender reports (validation refuses others), or `host`. Every
/// host that sends periodic reports gets that one synthetic check, fed by each report: when the
/// reports stop, it alerts once as "host down" and mutes the host's no-data alerts.
enum CheckKind: String, Codable, Sendable, CaseIterable {
    case memory, disk, raid, heartbeat, container, zpool, gauge, host
    case load, cpu, unit, cert, net, smart, inodes
    /// Raised by a log rule from journal entries, never reported by a sender.
    case journal

    /// A kind as stored. Only known kinds are ever written; anything else reads as a gauge.
    init(stored: String) {
        self = CheckKind(rawValue: stored) ?? .gauge
    }
}

struct CheckRecord: Codable, Sendable, Equatable {
    var host: String
    var name: String
    var kind: CheckKind
    var value: Double?
    var unit: String?
    var status: String?
    var error: String?
    var details: [String: JSONValue]?
    var state: CheckState
    var since: Date
    /// When the backend last received this check (its clock).
    var lastSeen: Date
    /// When the sender measured it (the report's `sentAt`).
    var observedAt: Date
    var every: Int?
    var grace: Int?
    var silencedUntil: Date?
    var paused: Bool
    /// A heartbeat expected on a cron schedule in a time zone, instead of every N seconds.
    var cron: String? = nil
    var timezone: String? = nil
}

struct SampleRecord: Codable, Sendable, Equatable {
    var at: Date
    var value: Double
}

struct NewToken: Sendable {
    var hash: String
    var prefix: String
    var host: String?
    var label: String?
    var createdAt: Date
}

struct TokenRecord: Codable, Sendable, Equatable {
    var id: Int64
    /// The first characters of the token, so a user can tell tokens apart; never the whole token.
    var prefix: String
    /// When set, the token may only report for this host.
    var host: String?
    var label: String?
    var createdAt: Date
    var revokedAt: Date?
}

/// One state change of a check: what the evaluator writes, and the API and the pages list.
struct Flip: Codable, Sendable, Equatable {
    var host: String
    var check: String
    var at: Date
    var from: CheckState
    var to: CheckState
    var value: Double?
    var reason: String
}
