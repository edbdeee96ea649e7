import ArgumentParser

/// Journal filter flags, shared by `journal` and `run`. They win over `[journal]` in the config
/// file: lists that include replace it, lists that exclude add to it.
struct JournalOptions: ParsableArguments {
    @Option(help: "Ship only this systemd unit's entries (repeatable); nginx means nginx.service.")
    var unit: [String] = []
    @Option(help: "Skip this systemd unit's entries (repeatable).")
    var excludeUnit: [String] = []
    @Option(help: "Ship only entries with this SYSLOG_IDENTIFIER (repeatable).")
    var identifier: [String] = []
    @Option(help: "Ship only entries of this priority or more severe: 0-7 or emerg, alert, crit, err, warning, notice, info, debug.")
    var maxPriority: String?
    @Option(name: .customLong("journal-field"), help: "Also ship this journal field in `fields` (repeatable), e.g. _COMM.")
    var journalFields: [String] = []
    @Option(help: "Where a first run (no saved cursor) starts, before now, e.g. 10m.")
    var since: String?

    func apply(to settings: inout SenderSettings) throws(SettingsError) {
        if !unit.isEmpty {
            settings.journal.units = try unit.map { text throws(SettingsError) in try JournalSettings.checkUnit(text, source: "--unit") }
        }
        settings.journal.excludeUnits += try excludeUnit.map { text throws(SettingsError) in
            try JournalSettings.checkUnit(text, source: "--exclude-unit")
        }
        if !identifier.isEmpty {
            settings.journal.identifiers = try identifier.map { text throws(SettingsError) in
                try JournalSettings.checkIdentifier(text, source: "--identifier")
            }
        }
        if let maxPriority { settings.journal.maxPriority = try JournalSettings.checkPriority(maxPriority, source: "--max-priority") }
        if !journalFields.isEmpty { settings.journal.fields = try JournalSettings.checkFields(journalFields, source: "--journal-field") }
        if let since { settings.journal.start = try SenderSettings.checkSpan(since, source: "--since") }
    }
}
