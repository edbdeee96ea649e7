import Foundation
import Testing
@testable import Backend

/// Cron schedules in a time zone, across both DST changes of Europe/Berlin in 2026
/// (29 March 02:00 CET → 03:00 CEST; 25 October 03:00 CEST → 02:00 CET).
@Suite struct CronScheduleTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aDailyJobKeepsItsLocalTimeAcrossTheSpringChange() throws {
        let cron = try CronSchedule("0 3 * * *", timeZone: "Europe/Berlin")
        // Saturday 03:00 CET is 02:00 UTC; Sunday 03:00 CEST is 01:00 UTC: 23 hours later.
        let saturday = Self.utc("2026-03-28T02:00:00Z")
        #expect(cron.next(after: saturday.addingTimeInterval(-60)) == saturday)
        #expect(cron.next(after: saturday) == Self.utc("2026-03-29T01:00:00Z"))
        #expect(cron.next(after: Self.utc("2026-03-29T01:00:00Z")) == Self.utc("2026-03-30T01:00:00Z"))
    }

    @Test func aSkippedLocalTimeDoesNotHappenThatDay() throws {
        let cron = try CronSchedule("30 2 * * *", timeZone: "Europe/Berlin")
        // 02:30 does not exist on 29 March; the next run is 30 March 02:30 CEST (00:30 UTC).
        #expect(cron.next(after: Self.utc("2026-03-28T01:30:00Z")) == Self.utc("2026-03-30T00:30:00Z"))
    }

    @Test func aRepeatedLocalTimeHappensOnce() throws {
        let cron = try CronSchedule("30 2 * * *", timeZone: "Europe/Berlin")
        // 02:30 happens twice on 25 October: 00:30 UTC (CEST) and 01:30 UTC (CET). It runs at the first.
        let first = try #require(cron.next(after: Self.utc("2026-10-24T12:00:00Z")))
        #expect(first == Self.utc("2026-10-25T00:30:00Z"))
        #expect(cron.next(after: first) == Self.utc("2026-10-26T01:30:00Z"))
        // An hourly job runs once per local hour: after local midnight, 01:00 to 23:00, the
        // repeated 02:00 hour once. 23 runs, as cron itself does.
        let hourly = try CronSchedule("@hourly", timeZone: "Europe/Berlin")
        var runs = 0
        var at = Self.utc("2026-10-24T22:00:00Z")  // local midnight
        while let next = hourly.next(after: at), next < Self.utc("2026-10-25T23:00:00Z") {
            runs += 1
            at = next
        }
        #expect(runs == 23)
    }

    @Test func fieldsListsRangesStepsAndNames() throws {
        let weekdays = try CronSchedule("*/15 9-17 * * mon-fri", timeZone: "UTC")
        // Friday 17:45 → Monday 09:00.
        #expect(weekdays.next(after: Self.utc("2026-11-20T17:45:00Z")) == Self.utc("2026-11-23T09:00:00Z"))
        let either = try CronSchedule("0 0 1 * sun", timeZone: "UTC")
        // The 1st of a month or any Sunday: after Sunday 22 November comes Sunday 29 November.
        #expect(either.next(after: Self.utc("2026-11-22T00:00:00Z")) == Self.utc("2026-11-29T00:00:00Z"))
        #expect(try CronSchedule("0 0 31 2 *").next(after: Date()) == nil)
        for bad in ["* * * *", "60 * * * *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "x * * * *"] {
            #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(bad) }
        }
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule("0 3 * * *", timeZone: "Mars/Olympus") }
    }
}

extension CronScheduleTests {
    /// A heartbeat on `0 3 * * *` in Berlin, last pinged Saturday 03:00 CET: due Sunday 03:00
    /// CEST plus its grace, 23 hours on, and alerting only after that.
    @Test func aCronHeartbeatIsDueAtItsNextLocalTimeAcrossDST() throws {
        let pinged = Self.utc("2026-03-28T02:00:05Z")
        let check = CheckRecord(
            host: "web-1", name: "backup", kind: .heartbeat, value: nil, unit: nil, status: "ok", error: nil, details: nil, state: .ok,
            since: pinged, lastSeen: pinged, observedAt: pinged, every: nil, grace: 600, silencedUntil: nil, paused: false,
            cron: "0 3 * * *", timezone: "Europe/Berlin")
        #expect(Rules.deadline(check) == Self.utc("2026-03-29T01:10:00Z"))
        #expect(Rules.evaluate(check, samples: [], now: Self.utc("2026-03-29T01:09:59Z")).state == .ok)
        let late = Rules.evaluate(check, samples: [], now: Self.utc("2026-03-29T01:10:01Z"))
        #expect(late.state == .alert)
        #expect(late.reason.contains("expected on '0 3 * * *' (Europe/Berlin)"))
    }
}
