import ArgumentParser

/// `metrics-sender collect [--dry-run] [--root DIR]`: measure the host and send (or print) the report.
struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure this host and send the report (or print it with --dry-run).")

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the report as JSON and send nothing.")
    var dryRun = false

    func run() throws {
        let started = Clock.now()
        let settings: SenderSettings
        do { settings = try options.resolve() } catch { throw SenderFailure(error) }
        let observations = CollectorSet(settings: settings, started: started).collect()
        let report = ReportBuilder.report(settings: settings, observations: ObservationCheck.keepValid(observations))
        if dryRun { try ReportBuilder.print(report) } else { try ReportDelivery.send(report, settings: settings) }
    }
}

/// `metrics-sender run`: what the timer starts every minute.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Collect and send the report, then the new journal entries; the command the systemd timer runs.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var journalOptions: JournalOptions

    func run() throws {
        let started = Clock.now()
        let settings: SenderSettings
        do {
            var resolved = try options.resolve()
            try journalOptions.apply(to: &resolved)
            resolved.runEnd = started + Double(resolved.runLimit.seconds)
            settings = resolved
        } catch { throw SenderFailure(error) }
        _ = try settings.requireURLOrFail()
        let observations = CollectorSet(settings: settings, started: started).collect()
        let report = ReportBuilder.report(settings: settings, observations: ObservationCheck.keepValid(observations))
        try ReportDelivery.send(report, settings: settings)
        if settings.journal.enabled { try shipJournal(settings) }
    }

    /// After the report, so a journal backlog never delays it. A host without libsystemd or
    /// without a journal has nothing to ship: that is no failure.
    private func shipJournal(_ settings: SenderSettings) throws(SenderFailure) {
        let shipper: JournalShipper
        do { shipper = try JournalShipper(settings: settings, source: .local, dryRun: false) } catch {
            switch error {
            case .libraryMissing, .noJournal: return
            case .unreadable(let message): StandardStreams.warn("journal: \(message)"); return
            case .failed(let message): throw SenderFailure(status: .badSettings, message: "journal: \(message)")
            }
        }
        do { _ = try shipper.ship() } catch where error.status == .busy {
            // The report went out; the other run ships the journal.
            StandardStreams.warn(error.message)
        }
    }
}

extension SenderSettings {
    /// Checked before measuring, so a missing URL fails at once rather than after the work.
    func requireURLOrFail() throws(SenderFailure) -> String {
        do { return try requireURL() } catch { throw SenderFailure(error) }
    }
}
