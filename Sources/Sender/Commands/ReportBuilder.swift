#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Shared

/// Wraps observations into a report, and prints it for `--dry-run`. `ReportDelivery` sends it.
enum ReportBuilder {
    static var senderName: String { "metrics-sender/\(SenderSettings.version)" }

    /// A heartbeat's report tells no tags: a job may run without the host's config file, and
    /// its `[]` would clear the tags `run` sends.
    static func heartbeat(settings: SenderSettings, observation: Observation) -> Report {
        var report = report(settings: settings, observations: [observation])
        report.tags = nil
        return report
    }

    static func report(settings: SenderSettings, observations: [Observation]) -> Report {
        let bootId = FileReader.readIfPresent(CollectContext(root: settings.root).proc("sys/kernel/random/boot_id"))?.trimmingNewline()
        // Times go out in whole seconds; the report id tells two reports of one second apart (a
        // job's start and finish) while a retry, the same bytes again, keeps it.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        return Report(host: settings.host, bootId: bootId, sentAt: now, sender: senderName, reportId: UUID().uuidString.lowercased(),
                      tags: settings.tags, observations: observations)
    }

    /// Prints the report as JSON on stdout (`--dry-run`).
    static func print(_ report: Report) throws(SenderFailure) {
        let encoded: Data
        do { encoded = try Report.makeEncoder(pretty: true).encode(report) } catch {
            throw SenderFailure(status: .badSettings, message: "the report could not be encoded: \(error)")
        }
        Swift.print(String(decoding: encoded, as: UTF8.self))
    }
}
