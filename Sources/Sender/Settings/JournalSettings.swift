import Shared

/// What `journal` (and the journal step of `run`) reads and how it ships it. Config keys live
/// under `[journal]`; flags win over them.
struct JournalSettings: Sendable {
    /// `run` ships the journal unless `journal.enabled = false`.
    var enabled = true
    /// Only these `_SYSTEMD_UNIT`s (empty: all).
    var units: [String] = []
    var excludeUnits: [String] = []
    /// Only these `SYSLOG_IDENTIFIER`s (empty: all).
    var identifiers: [String] = []
    /// Entries with PRIORITY at most this (0 emerg … 7 debug); nil: all.
    var maxPriority: Int?
    /// Extra fields shipped in `fields`.
    var fields: [String] = []
    /// Where a first run (no cursor yet) starts: this long before now, never the beginning of time.
    var start = TimeSpan(seconds: 600)
    var batchEntries = 5000
    var batchBytes = 1 << 20
    /// Batches POSTed at once: reading and the backend's inserts overlap.
    var inFlight = 2
    /// A run stops after this long or this many entries, so a one-minute timer never overlaps.
    var maxRun = TimeSpan(seconds: 40)
    var maxEntries = 500_000

    static let priorityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
    /// The backend takes at most 10000 lines and 8 MiB per batch by default.
    static let batchEntriesRange = 1...10_000
    static let batchBytesRange = 1024...(8 << 20)
    static let inFlightRange = 1...4
    static let maxFields = 64

    /// `3`, `err`: PRIORITY 0…7 by number or syslog name.
    static func checkPriority(_ text: String, source: String) throws(SettingsError) -> Int {
        let lower = text.lowercased()
        if let number = Int(lower), (0...7).contains(number) { return number }
        if let index = priorityNames.firstIndex(of: lower) { return index }
        throw SettingsError(message: "\(source) '\(text)' is not a priority; use 0 to 7 or \(priorityNames.joined(separator: ", "))")
    }

    /// A unit as systemctl accepts it: `nginx` means `nginx.service`.
    static func checkUnit(_ text: String, source: String) throws(SettingsError) -> String {
        guard !text.isEmpty, text.utf8.count <= 256, !text.utf8.contains(where: { $0 < 32 || $0 == 127 }) else {
            throw SettingsError(message: "\(source) '\(text)' is not a unit name, e.g. nginx.service")
        }
        return text.contains(".") ? text : text + ".service"
    }

    static func checkIdentifier(_ text: String, source: String) throws(SettingsError) -> String {
        guard !text.isEmpty, text.utf8.count <= 256, !text.utf8.contains(where: { $0 < 32 || $0 == 127 }) else {
            throw SettingsError(message: "\(source) '\(text)' is not a syslog identifier, e.g. sshd")
        }
        return text
    }

    /// Journal field names: A–Z, 0–9 and `_`, not starting with a digit, at most 64 bytes.
    static func checkFields(_ names: [String], source: String) throws(SettingsError) -> [String] {
        for name in names {
            let bytes = Array(name.utf8)
            let valid = !bytes.isEmpty && bytes.count <= 64 && !(48...57).contains(bytes[0])
                && bytes.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }
            guard valid else {
                throw SettingsError(message: "\(source) '\(name)' is not a journal field name; write it like _COMM or CODE_FILE")
            }
        }
        guard names.count <= maxFields else { throw SettingsError(message: "\(source): at most \(maxFields) fields") }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    static func checkCount(_ value: Int, in range: ClosedRange<Int>, source: String) throws(SettingsError) -> Int {
        guard range.contains(value) else {
            throw SettingsError(message: "\(source) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    static func checkPositiveSpan(_ text: String, source: String) throws(SettingsError) -> TimeSpan {
        let span = try SenderSettings.checkSpan(text, source: source)
        guard span.seconds > 0 else { throw SettingsError(message: "\(source) must be at least 1s") }
        return span
    }
}
