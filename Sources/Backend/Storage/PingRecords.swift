import Foundation
import HTTPTypes

/// A heartbeat check made through the API or by a first ping (`?create=1`).
struct HeartbeatSpec: Sendable, Equatable {
    var host: String
    var name: String
    var slug: String?
    var every: Int?
    var grace: Int?
    var cron: String? = nil
    var timezone: String? = nil
}

/// The check a ping URL names.
struct PingTarget: Sendable, Equatable {
    var host: String
    var name: String
    var status: String?
    var lastSeen: Date
}

/// One ping as received: what it said, how, and its body (the job's output).
struct PingRecord: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        case success, start, fail, log
    }

    var host: String
    var check: String
    var at: Date
    var kind: Kind
    var exitStatus: Int?
    var rid: String? = nil
    var method: String
    var body: String? = nil
    /// Seconds since the start it finished (a success or a fail after a start).
    var duration: Double? = nil

    /// Pings kept per check, newest first, as Healthchecks keeps 100 by default.
    static let keptPerCheck = 100
}

/// A heartbeat asked for under the name of a check of another kind (a disk, the host's own
/// check): a ping URL must never take over what a sender reports.
struct HeartbeatConflict: StoreRefusal, Equatable {
    var name: String
    var kind: String
    var status: HTTPResponse.Status { .conflict }
    var field: String? { "name" }

    var message: String { "'\(name)' is already a check of kind \(kind); a heartbeat needs a name of its own" }
}
