import Foundation
import Shared

/// The state of a check, as the alerting issue defines it.
enum CheckState: String, Codable, Sendable, CaseIterable {
    case ok
    case alert
    case noData = "no-data"
}

/// A server that reports.
struct HostRecord: Codable, Sendable, Equatable {
    var name: String
    var bootId: String?
    var senderVersion: String?
    var firstSeen: Date
    var lastReport: Date
}

/// One watched thing on a host, keyed by (host, name).
struct CheckRecord: Codable, Sendable, Equatable {
    var host: String
    var name: String
    var kind: String
    var value: Double?
    var unit: String?
    var status: String?
    var error: String?
    var details: [String: JSONValue]?
    var state: CheckState
    var since: Date
    var lastSeen: Date
    /// Expected reporting interval and grace, in seconds (nil: the host's report interval).
    var every: Int?
    var grace: Int?
    var silencedUntil: Date?
    var paused: Bool
}

/// One (time, value) point of a numeric check.
struct SampleRecord: Codable, Sendable, Equatable {
    var time: Date
    var value: Double
}

/// An API token as listed; the secret itself is never stored, only its SHA-256.
struct TokenRecord: Codable, Sendable, Equatable {
    var id: Int64
    /// When set, the token may only report for this host.
    var host: String?
    var createdAt: Date
    var lastUsedAt: Date?
    var revokedAt: Date?
}

/// What storing a report did.
struct IngestResult: Codable, Sendable, Equatable {
    /// Observations in the report.
    var observations: Int
    /// Samples newly written; 0 for a retried report.
    var samplesStored: Int
}
