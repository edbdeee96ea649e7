import ArgumentParser
import Shared

/// `metrics-sender ping NAME [--every D] [--grace D] [--fail]`: a heartbeat for a cron job.
struct Ping: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a heartbeat for a job (e.g. at the end of a cron job).")

    @Argument(help: "The heartbeat's name, e.g. backup-db.")
    var name: String
    @Option(help: "How often the job runs, e.g. 1d. An alert comes when a ping is later than every + grace.")
    var every: String?
    @Option(help: "How late a ping may be before it alerts, e.g. 1h.")
    var grace: String?
    @Flag(help: "Report that the job failed; alerts at once.")
    var fail = false
    @Flag(help: "Print the report as JSON and send nothing.")
    var dryRun = false
    @OptionGroup var options: CommonOptions

    func run() throws {
        let settings: SenderSettings
        let observation: Observation
        do {
            settings = try options.resolve()
            _ = try SenderSettings.checkName(name, source: "NAME")
            let everySpan = try every.map { text throws(SettingsError) in try SenderSettings.checkSpan(text, source: "--every") }
            let graceSpan = try grace.map { text throws(SettingsError) in try SenderSettings.checkSpan(text, source: "--grace") }
            observation = Observation(
                name: name, kind: .heartbeat, status: fail ? ObservationStatus.fail : ObservationStatus.ok,
                every: everySpan?.seconds, grace: graceSpan?.seconds)
        } catch { throw SenderFailure(error) }
        let report = ReportBuilder.heartbeat(settings: settings, observation: observation)
        if dryRun { try ReportBuilder.print(report) } else { try ReportDelivery.send(report, settings: settings) }
    }
}
