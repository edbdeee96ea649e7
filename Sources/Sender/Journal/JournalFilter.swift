/// Which entries are shipped. Includes (units, identifiers) are sd_journal matches, so libsystemd
/// skips the rest through its indexes; excludes and the priority bound are checked in code,
/// because matches cannot say "not" or "field absent".
struct JournalFilter {
    var units: [String]
    var identifiers: [String]
    var excludeUnits: [[UInt8]]
    var excludeContainers: [[UInt8]]
    var maxPriority: Int?
    var fields: [String]

    /// Entries without PRIORITY count as info, as journalctl treats them.
    static let defaultPriority = 6

    init(settings: SenderSettings) {
        units = settings.journal.units
        identifiers = settings.journal.identifiers
        excludeUnits = settings.journal.excludeUnits.map { Array($0.utf8) }
        excludeContainers = settings.excludeContainers.filter { !$0.isEmpty }.map { Array($0.utf8) }
        maxPriority = settings.journal.maxPriority
        fields = settings.journal.fields
    }

    /// Whether libsystemd hides some entries from the reader.
    var hasMatches: Bool { !units.isEmpty || !identifiers.isEmpty }

    /// (unit₁ OR unit₂ …) AND (identifier₁ OR identifier₂ …). A unit matches as `journalctl -u`
    /// does: its own lines, its core dumps, systemd's lines about it ("Started", "Failed with
    /// result", which carry UNIT= and _PID=1), and root daemons' lines about it.
    func addMatches(to journal: JournalReader) throws(JournalOpenError) {
        for (index, unit) in units.enumerated() {
            if index > 0 { journal.addDisjunction() }
            try journal.addMatch("_SYSTEMD_UNIT=" + unit)
            journal.addDisjunction()
            try journal.addMatch("MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1")
            try journal.addMatch("_UID=0")
            try journal.addMatch("COREDUMP_UNIT=" + unit)
            journal.addDisjunction()
            try journal.addMatch("_PID=1")
            try journal.addMatch("UNIT=" + unit)
            journal.addDisjunction()
            try journal.addMatch("_UID=0")
            try journal.addMatch("OBJECT_SYSTEMD_UNIT=" + unit)
        }
        if !units.isEmpty && !identifiers.isEmpty { journal.addConjunction() }
        for identifier in identifiers { try journal.addMatch("SYSLOG_IDENTIFIER=" + identifier) }
    }

    /// True when the entry is read but not shipped.
    func skips(_ record: JournalFields) -> Bool {
        if let maxPriority, (record.priority ?? Self.defaultPriority) > maxPriority { return true }
        for unit in excludeUnits where record.value(record.unitField, equals: unit) { return true }
        for prefix in excludeContainers where record.value(.containerName, startsWith: prefix) { return true }
        return false
    }
}
