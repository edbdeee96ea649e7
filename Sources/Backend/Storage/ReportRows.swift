import Crypto
import Foundation
import Shared

/// A validated report flattened into columns, the shape both engines insert in one statement.
struct ReportRows: Sendable {
    var host: String
    var bootId: String?
    var sender: String?
    var sentAt: Date
    /// Identifies the report across retries: its `reportId`, or its time and check names.
    var dedupKey: String
    var names: [String] = []
    var kinds: [String] = []
    var values: [Double?] = []
    var units: [String?] = []
    var statuses: [String?] = []
    var errors: [String?] = []
    var details: [String?] = []
    /// The same details as values, for the evaluator's look at the report itself.
    var detailValues: [[String: JSONValue]?] = []
    var every: [Int?] = []
    var grace: [Int?] = []
    /// The ping this report stands for, stored in the same transaction.
    var ping: PingRecord?
    /// How far the sender's clock was ahead of the backend's (negative: behind), in seconds; nil
    /// for a ping's report, which the backend dates itself.
    var clockOffset: Double?
    /// The host's tags; nil when the report does not tell them. `tags` joined as stored (`HostTagList`).
    var tagList: [String]?
    var tags: String? { tagList.map(HostTagList.join) }

    private static let newline: [UInt8] = [UInt8(ascii: "\n")]

    init(_ report: Report) {
        host = report.host
        bootId = report.bootId
        sender = report.sender
        sentAt = report.sentAt
        tagList = report.tags
        if let id = report.reportId {
            dedupKey = "id:" + id
        } else {
            // Two different pings in the same second must not look like one report retried.
            // The names sorted and joined by newlines, hashed piece by piece: no joined copy.
            var hasher = SHA256()
            for (index, name) in report.observations.map(\.name).sorted().enumerated() {
                if index > 0 { hasher.update(data: Self.newline) }
                var name = name
                name.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            }
            let short = Hex.lowercase(hasher.finalize().prefix(8))
            dedupKey = "at:\(Int64((report.sentAt.timeIntervalSince1970 * 1000).rounded())):\(short)"
        }
        let count = report.observations.count + 1
        names.reserveCapacity(count); kinds.reserveCapacity(count); values.reserveCapacity(count)
        units.reserveCapacity(count); statuses.reserveCapacity(count); errors.reserveCapacity(count)
        details.reserveCapacity(count); detailValues.reserveCapacity(count); every.reserveCapacity(count); grace.reserveCapacity(count)
        for observation in report.observations {
            names.append(observation.name)
            kinds.append(observation.kind)
            values.append(observation.value)
            units.append(observation.unit)
            statuses.append(observation.status)
            errors.append(observation.error)
            details.append(observation.details.map(DetailsJSON.encode))
            detailValues.append(observation.details)
            every.append(observation.every)
            grace.append(observation.grace)
        }
        // Periodic reports (anything beyond heartbeats and log rules) feed the host's own check: host down.
        if report.observations.contains(where: { $0.kind != ObservationKind.heartbeat.rawValue && $0.kind != CheckKind.journal.rawValue }) {
            names.append(reservedHostCheckName)
            kinds.append(CheckKind.host.rawValue)
            values.append(nil)
            units.append(nil)
            statuses.append(nil)
            errors.append(nil)
            details.append(nil)
            detailValues.append(nil)
            every.append(nil)
            grace.append(nil)
        }
    }

    /// The check at `item` as the report shows it, received at `receivedAt`: what rules see at ingest.
    func record(_ item: Int, receivedAt: Date) -> CheckRecord {
        CheckRecord(
            host: host, name: names[item], kind: CheckKind(stored: kinds[item]), value: values[item], unit: units[item], status: statuses[item],
            error: errors[item], details: detailValues[item], state: .ok, since: receivedAt, lastSeen: receivedAt,
            observedAt: sentAt, every: every[item], grace: grace[item], silencedUntil: nil, paused: false)
    }

    /// How far from its arrival a report may claim to be sent and still be placed at that time.
    /// A clock that jumped ahead (a dead RTC, a report dated 2030) would otherwise make every
    /// later, correctly dated report look older and hide its values; one that jumped back (a VM
    /// resumed with its old time) would make its own reports look late.
    static let clockTolerance: TimeInterval = 60

    /// Places the report in time: at its sender's time within the tolerance, else at its arrival.
    /// A report the sender kept and sends later (`resent`) keeps its past time, so that it passes
    /// no newer one. Called before any row is written.
    private mutating func place(receivedAt: Date, resent: Bool) {
        let offset = sentAt.timeIntervalSince(receivedAt)
        if offset > Self.clockTolerance || (offset < -Self.clockTolerance && !resent) { sentAt = receivedAt }
        clockOffset = ping == nil && !resent ? offset : nil
        // A report kept and sent late may tell tags the host has since changed.
        if resent { tagList = nil }
    }

    /// The rows a store writes for a report: with the ping it stands for, placed in time.
    init(_ report: Report, ping: PingRecord?, receivedAt: Date) {
        self.init(report)
        self.ping = ping
        place(receivedAt: receivedAt, resent: report.resent == true)
    }

    /// Numeric observations become samples.
    var sampleCount: Int { values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
