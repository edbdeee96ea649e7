import Foundation
import Shared

/// Heartbeats pinged by URL (Healthchecks-style): a ping becomes a heartbeat report of its
/// check, so it flips and alerts like any other, and the report and the ping's record are one
/// transaction.
struct HeartbeatService: Sendable {
    let ingest: IngestService

    /// The end of a job's output kept on the check itself, for its page: where its errors are.
    static let outputLimit = 10 * 1024

    /// `error`: why a failing ping failed, when it says (Uptime Kuma's message).
    func record(_ ping: PingRecord, for target: PingTarget, error given: String? = nil) async throws {
        var details: [String: JSONValue] = [:]
        if let exitStatus = ping.exitStatus { details["exitCode"] = .number(Double(exitStatus)) }
        if let body = ping.body, !body.isEmpty { details["output"] = .string(String(body.suffix(Self.outputLimit))) }
        let status = switch ping.kind { case .start: ObservationStatus.start; case .fail: ObservationStatus.fail; default: ObservationStatus.ok }
        let error: String? = ping.kind == .fail ? (given ?? ping.exitStatus.map { "exit status \($0)" } ?? "failure signalled") : nil
        let observation = Observation(
            name: target.name, kind: .heartbeat, value: ping.duration.map { ($0 * 1000).rounded() / 1000 }, unit: ping.duration == nil ? nil : "s",
            status: status, error: error, details: details.isEmpty ? nil : details)
        let report = Report(host: target.host, sentAt: ping.at, reportId: UUID().uuidString, observations: [observation])
        _ = try await ingest.ingest(report, ping: ping, receivedAt: ping.at)
    }
}
