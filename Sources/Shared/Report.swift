#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What one sender run tells the backend about one host (protocol version 1).
public struct Report: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    public var host: String
    public var bootId: String?
    public var sentAt: Date
    public var sender: String?
    /// Optional idempotency key; without it a retry is recognised by (host, sentAt).
    public var reportId: String?
    /// True on a report the sender kept and sends later: its `sentAt` is old on purpose. Any other
    /// report far from the backend's clock is placed at its arrival (a wrong clock).
    public var resent: Bool?
    /// The host's tags (`HostTags`): a list replaces the stored one, `[]` clears it, and a report
    /// without the field leaves it as it is (pings, the original sender).
    public var tags: [String]?
    public var observations: [Observation]

    public init(
        version: Int = Report.currentVersion, host: String, bootId: String? = nil, sentAt: Date,
        sender: String? = nil, reportId: String? = nil, resent: Bool? = nil, tags: [String]? = nil, observations: [Observation]
    ) {
        self.resent = resent
        self.tags = tags
        self.version = version
        self.host = host
        self.bootId = bootId
        self.sentAt = sentAt
        self.sender = sender
        self.reportId = reportId
        self.observations = observations
    }
}

/// One measurement of one check. `value` is numeric (percent for memory and disk),
/// `status` a word for things that are not numbers (RAID state, heartbeat outcome).
public struct Observation: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    public var value: Double?
    public var unit: String?
    public var status: String?
    /// Why the measurement failed (a stuck mount, an unreadable file); the check still reports.
    public var error: String?
    /// Heartbeats: the expected interval and grace, in seconds.
    public var every: Int?
    public var grace: Int?
    public var details: [String: JSONValue]?

    public init(
        name: String, kind: ObservationKind, value: Double? = nil, unit: String? = nil, status: String? = nil,
        error: String? = nil, every: Int? = nil, grace: Int? = nil, details: [String: JSONValue]? = nil
    ) {
        self.name = name
        self.kind = kind.rawValue
        self.value = value
        self.unit = unit
        self.status = status
        self.error = error
        self.every = every
        self.grace = grace
        self.details = details
    }

    public var knownKind: ObservationKind? { ObservationKind(rawValue: kind) }
}

public enum ObservationKind: String, Codable, Sendable, CaseIterable {
    case memory, disk, raid, heartbeat, container, zpool, gauge
    case load, cpu, unit, cert, net, smart, inodes
}

/// Words used in `Observation.status`.
public enum ObservationStatus {
    public static let ok = "ok"
    public static let degraded = "degraded"
    public static let inactive = "inactive"
    public static let error = "error"
    public static let fail = "fail"
    public static let start = "start"
    /// A journal entry matched a log rule.
    public static let match = "match"
    /// A systemd unit in the `failed` state; a SMART self-assessment that failed.
    public static let failed = "failed"
    public static let all: Set<String> = [ok, degraded, inactive, error, fail, start, failed]
}

extension Report {
    /// The encoder both programs use: ISO 8601 times and sorted keys, so output is byte-stable.
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// An ISO 8601 / RFC 3339 time, as Swift, Go and date -Is write them.
    public static func parseTime(_ text: String) -> Date? {
        guard text.count <= 64 else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
