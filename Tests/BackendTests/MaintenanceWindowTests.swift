import Foundation
import Shared
import Testing
@testable import Backend

/// Maintenance windows alone: when they open and close in their time zone (across both DST
/// changes of Europe/Berlin in 2026), which checks they cover, how they move a deadline, and
/// how the rules file names them.
@Suite struct MaintenanceWindowTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func window(_ cron: String, _ duration: Int, zone: String = "Europe/Berlin", hosts: [String] = [], checks: [String] = []) throws -> MaintenanceWindow {
        MaintenanceWindow(name: "w", schedule: try CronSchedule(cron, timeZone: zone), duration: duration, hosts: hosts.map(Glob.init), checks: checks.map(Glob.init))
    }

    @Test func aNightlyWindowKeepsItsLocalTimeAcrossTheSpringChange() throws {
        let windows = MaintenanceWindows(windows: [try Self.window("0 3 * * *", 3600)])
        // Saturday 03:00 CET is 02:00 UTC; Sunday 03:00 CEST is 01:00 UTC.
        #expect(windows.openUntil(Self.utc("2026-03-28T01:59:59Z")) == nil)
        #expect(windows.openUntil(Self.utc("2026-03-28T02:00:00Z")) == Self.utc("2026-03-28T03:00:00Z"))
        #expect(windows.openUntil(Self.utc("2026-03-28T02:59:59Z")) == Self.utc("2026-03-28T03:00:00Z"))
        #expect(windows.openUntil(Self.utc("2026-03-28T03:00:00Z")) == nil)
        #expect(windows.openUntil(Self.utc("2026-03-29T01:30:00Z")) == Self.utc("2026-03-29T02:00:00Z"))
        // Where the window would be had the zone no DST: closed.
        #expect(windows.openUntil(Self.utc("2026-03-29T02:30:00Z")) == nil)
        #expect(windows.windows[0].opens(after: Self.utc("2026-03-28T12:00:00Z")) == Self.utc("2026-03-29T01:00:00Z"))
    }

    @Test func aWindowOnTheAutumnChangeLastsItsElapsedDuration() throws {
        // 02:30 happens twice on 25 October; the window opens at the first (00:30 UTC) and lasts 1 h of real time.
        let windows = MaintenanceWindows(windows: [try Self.window("30 2 * * *", 3600)])
        #expect(windows.openUntil(Self.utc("2026-10-25T01:00:00Z")) == Self.utc("2026-10-25T01:30:00Z"))
        #expect(windows.openUntil(Self.utc("2026-10-25T01:45:00Z")) == nil)
        #expect(windows.openUntil(Self.utc("2026-10-26T01:45:00Z")) == Self.utc("2026-10-26T02:30:00Z"))
    }

    @Test func windowsThatOverlapOrFollowEachOtherAreOneStretch() throws {
        let windows = MaintenanceWindows(windows: [try Self.window("0 2 * * *", 3600, zone: "UTC"), try Self.window("0 3 * * *", 1800, zone: "UTC")])
        // 02:00–03:00, then 03:00–03:30 straight after.
        #expect(windows.openUntil(Self.utc("2026-06-01T02:15:00Z")) == Self.utc("2026-06-01T03:30:00Z"))
        // Every ten minutes for one: open at 04:10:30, closed at 04:11.
        let often = MaintenanceWindows(windows: [try Self.window("*/10 * * * *", 60, zone: "UTC")])
        #expect(often.openUntil(Self.utc("2026-06-01T04:10:30Z")) == Self.utc("2026-06-01T04:11:00Z"))
        #expect(often.openUntil(Self.utc("2026-06-01T04:11:00Z")) == nil)
        // Opening every minute for an hour: one stretch (bounded, not endless).
        let always = MaintenanceWindows(windows: [try Self.window("* * * * *", 3600, zone: "UTC")])
        #expect((always.openUntil(Self.utc("2026-06-01T04:10:30Z")) ?? .distantPast) > Self.utc("2026-06-01T05:10:00Z"))
    }

    @Test func globsChooseHostsAndChecks() throws {
        let window = try Self.window("0 3 * * *", 3600, hosts: ["db-*"], checks: ["disk:*", "backup-*"])
        #expect(window.covers(host: "db-1", tags: [], check: "disk:/var"))
        #expect(window.covers(host: "db-1", tags: [], check: "backup-nightly"))
        #expect(!window.covers(host: "db-1", tags: [], check: "memory"))
        #expect(!window.covers(host: "web-1", tags: [], check: "disk:/"))
        let everything = try Self.window("0 3 * * *", 3600)
        #expect(everything.covers(host: "web-1", tags: [], check: "host"))
    }

    /// A heartbeat due inside the window is due a full period after it closes; one already late
    /// when the window opened stays late.
    @Test func aDeadlineInsideAWindowMovesToAFreshPeriodAfterIt() throws {
        var settings = RuleSettings()
        settings.maintenance = MaintenanceWindows(windows: [try Self.window("0 3 * * *", 3600)])
        var check = RulesTests.check(.heartbeat, every: 600, grace: 60)
        check.lastSeen = Self.utc("2026-03-28T01:55:00Z")
        // Due 02:06 UTC, inside 02:00–03:00: due 03:11 instead.
        #expect(Rules.deadline(check, settings: settings) == Self.utc("2026-03-28T03:11:00Z"))
        #expect(Rules.evaluate(check, samples: [], now: Self.utc("2026-03-28T03:10:59Z"), settings: settings).state == .ok)
        #expect(Rules.evaluate(check, samples: [], now: Self.utc("2026-03-28T03:11:01Z"), settings: settings).state == .alert)
        check.lastSeen = Self.utc("2026-03-28T01:40:00Z")
        #expect(Rules.deadline(check, settings: settings) == Self.utc("2026-03-28T01:51:00Z"))
    }

    @Test func aCheckInAWindowIsMutedUntilItCloses() throws {
        var settings = AlertSettings()
        settings.maintenance = MaintenanceWindows(windows: [try Self.window("0 3 * * *", 3600, hosts: ["web-*"])])
        var check = RulesTests.check(.disk, value: 95, state: .alert)
        let inside = Self.utc("2026-03-28T02:30:00Z")
        check.lastSeen = inside
        let candidate = AlertCandidate(id: 1, check: check, notifiedState: .ok, flappingSince: nil, notifiedAt: nil, hostDown: false)
        #expect(AlertPolicy.mutedUntil(candidate, now: inside, settings: settings) == Self.utc("2026-03-28T03:00:00Z"))
        #expect(AlertPolicy.decide(candidate, verdict: .alert("95% used"), now: inside, recentFlips: 0, settings: settings) == nil)
        // The scheduler looks again when it closes, and the user hears of the alert then.
        #expect(AlertPolicy.nextWake(candidate, now: inside, settings: settings) == Self.utc("2026-03-28T03:00:00Z"))
        let closed = Self.utc("2026-03-28T03:00:00Z")
        #expect(AlertPolicy.decide(candidate, verdict: .alert("95% used"), now: closed, recentFlips: 0, settings: settings)?.message?.kind == .problem)
    }

    /// A window for the hosts with a tag mutes their checks, whatever the host's name.
    @Test func tagsChooseHosts() throws {
        let settings = try Self.load("""
            [maintenance."db-upgrades"]
            cron = "0 3 * * *"
            duration = "1h"
            timezone = "UTC"
            tags = ["db"]
            """)
        let inside = Self.utc("2026-03-28T03:30:00Z")
        var check = RulesTests.check(.disk, value: 95, state: .alert)
        check.lastSeen = inside
        let tagged = AlertCandidate(id: 1, check: check, notifiedState: .ok, flappingSince: nil, notifiedAt: nil, hostDown: false, hostTags: ["eu", "db"])
        var untagged = tagged
        untagged.hostTags = ["eu"]
        #expect(AlertPolicy.mutedUntil(tagged, now: inside, settings: settings) == Self.utc("2026-03-28T04:00:00Z"))
        #expect(AlertPolicy.mutedUntil(untagged, now: inside, settings: settings) == nil)
        #expect(settings.maintenance.open(at: inside, host: check.host, tags: ["db"]).map(\.name) == ["db-upgrades"])
        #expect(settings.maintenance.open(at: inside, host: check.host, tags: []).isEmpty)
        #expect(throws: ConfigError.self) { try Self.load("[maintenance.\"m\"]\ncron = \"0 3 * * *\"\nduration = \"1h\"\ntags = [\"d b\"]\n") }
    }

    static func load(_ text: String) throws -> AlertSettings { try RulesFileTests.load(text) }

    @Test func theRulesFileNamesItsWindows() throws {
        let settings = try Self.load("""
            [maintenance."nightly-backup"]
            cron = "0 3 * * *"
            duration = "1h"
            timezone = "Europe/Berlin"
            hosts = ["db-*"]
            checks = ["disk:*", "backup-*"]
            [maintenance.patches]
            cron = "0 6 * * sun"
            duration = 1800
            """)
        let windows = settings.maintenance.windows
        try #require(windows.count == 2)
        #expect(windows.map(\.name) == ["nightly-backup", "patches"])
        #expect(windows.map(\.duration) == [3600, 1800])
        #expect(windows[0].schedule.timeZone.identifier == "Europe/Berlin" && windows[1].schedule.timeZone.secondsFromGMT() == 0)
        #expect(windows[0].hosts == [Glob("db-*")] && windows[1].hosts.isEmpty && windows[1].checks.isEmpty)
    }

    @Test(arguments: [
        ("duration = \"1h\"", "'maintenance.w.cron' is missing"),
        ("cron = \"0 3 * * *\"", "'maintenance.w.duration' is missing"),
        ("cron = \"0 3 * *\"\nduration = \"1h\"", "'maintenance.w.cron' '0 3 * *' needs 5 fields"),
        ("cron = \"0 0 31 2 *\"\nduration = \"1h\"", "'maintenance.w.cron' '0 0 31 2 *' never fires"),
        ("cron = \"0 3 * * *\"\nduration = \"1h\"\ntimezone = \"Mars/Olympus\"", "'maintenance.w.timezone' 'Mars/Olympus' is not an IANA time zone"),
        ("cron = \"0 3 * * *\"\nduration = \"0s\"", "'maintenance.w.duration' "),
        ("cron = \"0 3 * * *\"\nduration = \"1h\"\nhosts = \"db-*\"", "'maintenance.w.hosts' must be an array"),
        ("cron = \"0 3 * * *\"\nduration = \"1h\"\nhost = [\"db-*\"]", "'maintenance.w.host' is not a maintenance window setting"),
        // Opening every minute for two days would cost thousands of cron searches per check.
        ("cron = \"* * * * *\"\nduration = \"2d\"", "'maintenance.w.cron' opens more than 100 times within its duration"),
    ])
    func mistakesNameTheFileAndTheKey(_ body: String, _ expected: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.load("[maintenance.w]\n" + body) }
        #expect(error?.variable == "ALERT_RULES_FILE")
        #expect(error?.message.contains(".toml: " + expected) == true, "\(error?.message ?? "")")
    }
}
