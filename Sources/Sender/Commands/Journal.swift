import ArgumentParser

/// `metrics-sender journal [--directory DIR | --file F ...] [--dry-run]`: ship the journal
/// entries written since the last run (or print them as NDJSON).
struct Journal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ship new journal entries to the backend (or print them as NDJSON with --dry-run).",
        discussion: """
            Starts after the cursor saved in STATE_DIR/journal.cursor by the last acknowledged batch; \
            a first run starts --since ago (default 10m). A run stops after journal.max_run (40s) or \
            journal.max_entries (500000); the next run continues.
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var journalOptions: JournalOptions
    @Option(help: "Read the journal files in DIR (e.g. /var/log/journal, or one written by systemd-journal-remote).")
    var directory: String?
    @Option(help: "Read this journal file (repeatable).")
    var file: [String] = []
    @Flag(help: "Print the entries as NDJSON and send nothing; the cursor is read but never saved.")
    var dryRun = false

    func run() throws {
        let settings: SenderSettings
        let source: JournalSource
        do throws(SettingsError) {
            var resolved = try options.resolve()
            try journalOptions.apply(to: &resolved)
            settings = resolved
            if directory != nil && !file.isEmpty { throw SettingsError(message: "give --directory or --file, not both") }
            if let directory {
                guard !directory.isEmpty else { throw SettingsError(message: "--directory is empty") }
                source = .directory(directory)
            } else if !file.isEmpty {
                source = .files(file)
            } else {
                source = .local
            }
            if !dryRun { _ = try settings.requireURL() }
        } catch { throw SenderFailure(error) }

        let shipper: JournalShipper
        do { shipper = try JournalShipper(settings: settings, source: source, dryRun: dryRun) } catch {
            throw SenderFailure(status: .badSettings, message: "journal: \(error.description)")
        }
        let summary = try shipper.ship()
        if summary.stoppedEarly && StandardStreams.stderrIsTerminal {
            StandardStreams.warn("journal: stopped after \(summary.read) entries (journal.max_run \(settings.journal.maxRun), "
                + "journal.max_entries \(settings.journal.maxEntries)); the next run continues")
        }
    }
}
