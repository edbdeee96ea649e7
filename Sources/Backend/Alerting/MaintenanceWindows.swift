import Foundation
import Shared

/// A scheduled, recurring silence: it opens whenever its cron expression fires (in its time
/// zone, so across DST it keeps its local time) and stays open for `duration` seconds of elapsed
/// time, for the checks its host and check globs match, of hosts with any of its tags (an empty
/// list matches all).
struct MaintenanceWindow: Sendable, Equatable {
    var name: String
    var schedule: CronSchedule
    var duration: Int
    var hosts: [Glob] = []
    var tags: [String] = []
    var checks: [Glob] = []

    /// Openings within one duration, at most: each costs a cron search whenever a covered check's
    /// wake is worked out, so the rules file may not ask for more (every minute for two hours is 120).
    static let searchLimit = 100

    func covers(host: String, tags hostTags: [String], check: String) -> Bool {
        coversHost(host, tags: hostTags) && checks.matchesAny(check)
    }

    func coversHost(_ host: String, tags hostTags: [String]) -> Bool {
        hosts.matchesAny(host) && HostTags.picks(tags, hostTags)
    }

    /// When the opening that holds `date` closes (the latest, when openings overlap); nil if none holds it.
    func closes(openAt date: Date) -> Date? {
        // An opening holds `date` if it started at or before it and less than `duration` before.
        // The search stops at `date`, so a window that opens once a year costs no year of days.
        var start = schedule.next(after: date.addingTimeInterval(-Double(duration)), notAfter: date)
        var end: Date?
        for _ in 0..<Self.searchLimit {
            guard let opened = start, opened <= date else { break }
            end = opened.addingTimeInterval(Double(duration))
            start = schedule.next(after: opened, notAfter: date)
        }
        return end
    }

    /// The next opening after `date`; nil if none within the schedule's five years.
    func opens(after date: Date) -> Date? { schedule.next(after: date) }
}

/// The maintenance windows of the rules file (`[maintenance."NAME"]`).
struct MaintenanceWindows: Sendable, Equatable {
    var windows: [MaintenanceWindow] = []

    var isEmpty: Bool { windows.isEmpty }

    func covering(host: String, tags: [String], check: String) -> MaintenanceWindows {
        MaintenanceWindows(windows: windows.filter { $0.covers(host: host, tags: tags, check: check) })
    }

    /// The windows open at `date` that cover some check of `host`, with when each closes: what
    /// the pages say of a host.
    func open(at date: Date, host: String, tags: [String]) -> [(name: String, until: Date)] {
        windows.filter { $0.coversHost(host, tags: tags) }.compactMap { window in window.closes(openAt: date).map { (window.name, $0) } }
    }

    /// When the maintenance open at `date` ends, or nil if none is open. A window that opens
    /// before (or as) another closes extends it: the checks are in maintenance without a break.
    func openUntil(_ date: Date) -> Date? {
        var end: Date?
        var at = date
        for _ in 0..<64 {
            guard let latest = windows.compactMap({ $0.closes(openAt: at) }).max(), latest > (end ?? .distantPast) else { break }
            end = latest
            at = latest
        }
        return end
    }
}

/// Reads `[maintenance."NAME"]` tables of the rules file; each needs `cron` and `duration`.
///
///     [maintenance."nightly-backup"]
///     cron = "0 3 * * *"
///     duration = "1h"
///     timezone = "Europe/Berlin"      # default UTC
///     hosts = ["db-*"]                # empty or missing: every host
///     tags = ["db"]                   # hosts with any of these tags; empty or missing: any
///     checks = ["disk:*", "backup-*"] # empty or missing: every check of those hosts
struct MaintenanceWindowsFile {
    static let keys = ["cron", "duration", "timezone", "hosts", "tags", "checks"]
    /// Longer than this is not maintenance; pause the checks instead.
    static let longest = 31 * 86400
    /// Windows in one file, at most: each is looked at for every covered check's wake.
    static let most = 100

    private var fields: [String: [String: TOMLValue]] = [:]
    private var order: [String] = []

    /// One `maintenance.NAME.KEY = value` line; `fail` names the file and the key.
    mutating func add(name: String, key: String, value: TOMLValue, fail: (String) -> ConfigError) throws {
        guard Self.keys.contains(key) else { throw fail("is not a maintenance window setting; known: \(Self.keys.joined(separator: ", "))") }
        if fields[name] == nil {
            guard order.count < Self.most else { throw fail("is one window too many: at most \(Self.most)") }
            order.append(name)
        }
        fields[name, default: [:]][key] = value
    }

    /// The windows, in the file's order. `fail(name, key, message)` names the file and the key.
    func windows(now: Date = Date(), fail: (String, String, String) -> ConfigError) throws -> MaintenanceWindows {
        var windows: [MaintenanceWindow] = []
        for name in order {
            let values = fields[name] ?? [:]
            func text(_ key: String) throws -> String? {
                guard let value = values[key] else { return nil }
                guard case .string(let text) = value else { throw fail(name, key, "must be a string, not \(value.typeName)") }
                return text
            }
            func globs(_ key: String) throws -> [Glob] {
                guard let value = values[key] else { return [] }
                guard case .array(let items) = value else { throw fail(name, key, "must be an array of names or globs such as [\"db-*\"]") }
                guard items.count <= RouteSettings.maxPatterns else { throw fail(name, key, "has more than \(RouteSettings.maxPatterns) entries") }
                return try items.map { item in
                    guard case .string(let pattern) = item, !pattern.isEmpty, pattern.count <= RouteSettings.maxPatternLength else {
                        throw fail(name, key, "must hold strings of 1 to \(RouteSettings.maxPatternLength) characters, such as \"db-*\"")
                    }
                    return Glob(pattern)
                }
            }
            guard let cron = try text("cron") else { throw fail(name, "cron", "is missing: say when the window opens, such as \"0 3 * * *\"") }
            let zone = try text("timezone") ?? "UTC"
            guard TimeZone(identifier: zone) != nil else { throw fail(name, "timezone", "'\(zone.prefix(60))' is not an IANA time zone such as Europe/Berlin") }
            let schedule: CronSchedule
            do { schedule = try CronSchedule(cron, timeZone: zone) } catch { throw fail(name, "cron", "\(error)") }
            guard schedule.next(after: now) != nil else { throw fail(name, "cron", "'\(cron)' never fires within five years") }
            let duration: Int
            switch values["duration"] {
            case nil: throw fail(name, "duration", "is missing: say how long the window stays open, such as \"1h\"")
            case .integer(let seconds)?: duration = seconds
            case .string(let text)?:
                guard let span = try? TimeSpan(parsing: text) else { throw fail(name, "duration", "'\(text)' is not a duration such as 30m, 1h, 1d") }
                duration = span.seconds
            case let other?: throw fail(name, "duration", "must be a duration such as \"1h\", not \(other.typeName)")
            }
            guard duration > 0, duration <= Self.longest else { throw fail(name, "duration", "must be more than 0 and at most 31 days") }
            // Count the openings within one duration from the next: more than the search looks at is refused.
            var openings = 0
            var at = schedule.next(after: now)
            let end = at?.addingTimeInterval(Double(duration))
            while let opened = at, let end, opened < end, openings <= MaintenanceWindow.searchLimit {
                openings += 1
                at = schedule.next(after: opened, notAfter: end)
            }
            guard openings <= MaintenanceWindow.searchLimit else {
                throw fail(name, "cron", "opens more than \(MaintenanceWindow.searchLimit) times within its duration; open it less often or shorten it")
            }
            let tags = try values["tags"].map { try TagsSetting.read($0) { fail(name, "tags", $0) } } ?? []
            windows.append(MaintenanceWindow(
                name: name, schedule: schedule, duration: duration, hosts: try globs("hosts"), tags: tags, checks: try globs("checks")))
        }
        return MaintenanceWindows(windows: windows)
    }
}
