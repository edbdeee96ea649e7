import Foundation
import Shared
import Testing
@testable import Backend

/// The rules alone: pure functions of a check, its samples and the time.
@Suite struct RulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func check(_ kind: CheckKind, value: Double? = nil, status: String? = nil, state: CheckState = .ok,
                      seenAgo: TimeInterval = 10, every: Int? = nil, grace: Int? = nil, details: [String: JSONValue]? = nil) -> CheckRecord {
        let seen = now.addingTimeInterval(-seenAgo)
        return CheckRecord(
            host: "web-1", name: kind.rawValue, kind: kind, value: value, unit: nil, status: status, error: nil, details: details,
            state: state, since: seen, lastSeen: seen, observedAt: seen, every: every, grace: grace, silencedUntil: nil, paused: false)
    }

    static func verdict(_ check: CheckRecord, samples: [SampleRecord] = []) -> Verdict {
        Rules.evaluate(check, samples: samples, now: now)
    }

    @Test func diskKeepsTheOriginalBoundaryAndClearsWithHysteresis() {
        #expect(Self.verdict(Self.check(.disk, value: 90)).state == .ok)
        #expect(Self.verdict(Self.check(.disk, value: 91)) == .alert("91% used, above 90%"))
        // Alerting, it clears only below 85.
        #expect(Self.verdict(Self.check(.disk, value: 88, state: .alert)).state == .alert)
        #expect(Self.verdict(Self.check(.disk, value: 85, state: .alert)).state == .alert)
        #expect(Self.verdict(Self.check(.disk, value: 84.9, state: .alert)) == .ok("84.9% used"))
    }

    @Test func diskCanAlsoWatchFreeSpace() {
        var settings = RuleSettings()
        settings.diskMinFreeGiB = 10
        let nearlyFull = Self.check(.disk, value: 50, details: ["availBytes": .number(5 * 1_073_741_824)])
        #expect(Rules.evaluate(nearlyFull, samples: [], now: Self.now, settings: settings).state == .alert)
        let roomy = Self.check(.disk, value: 50, details: ["availBytes": .number(50 * 1_073_741_824)])
        #expect(Rules.evaluate(roomy, samples: [], now: Self.now, settings: settings).state == .ok)
    }

    @Test func aPingWithoutAnIntervalAlertsAfterFiveMinutes() {
        // The original's default: 4 minutes late is fine, 6 is not.
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 4 * 60)).state == .ok)
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 6 * 60)) == .alert("missed: nothing for 6 min, expected every 5 min"))
        // A legacy /metric ping without a value carries every = 5 min, grace 0: the same.
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 4 * 60, every: 300, grace: 0)).state == .ok)
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 6 * 60, every: 300, grace: 0)).state == .alert)
    }

    @Test func aPingOf1440MinutesAlertsOnlyAfterADay() {
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 1439 * 60, every: 1440 * 60, grace: 0)).state == .ok)
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 1445 * 60, every: 1440 * 60, grace: 0)).state == .alert)
        // Grace counts too.
        #expect(Self.verdict(Self.check(.heartbeat, status: "ok", seenAgo: 1445 * 60, every: 1440 * 60, grace: 600)).state == .ok)
    }

    @Test func anExplicitFailAlertsAtOnce() {
        #expect(Self.verdict(Self.check(.heartbeat, status: "fail", seenAgo: 1, every: 86400)) == .alert("failed"))
    }

    @Test func memoryAlertsOnlyWhenHighForFiveMinutes() {
        func samples(_ values: [(ago: TimeInterval, value: Double)]) -> [SampleRecord] {
            values.map { SampleRecord(at: Self.now.addingTimeInterval(-$0.ago), value: $0.value) }
        }
        let high = Self.check(.memory, value: 95)
        // High for six minutes, sampled every minute: alert.
        #expect(Self.verdict(high, samples: samples((0...6).map { (Double($0) * 60, 95) })).state == .alert)
        // One dip inside the window: ok.
        #expect(Self.verdict(high, samples: samples([(0, 95), (60, 95), (120, 80), (180, 95), (240, 95), (300, 95), (360, 95)])).state == .ok)
        // High, but only for two minutes of history: ok until the window is covered.
        #expect(Self.verdict(high, samples: samples([(0, 95), (60, 95), (120, 95)])).state == .ok)
        // Alerting, it clears below 85, not at 88.
        #expect(Self.verdict(Self.check(.memory, value: 88, state: .alert)).state == .alert)
        #expect(Self.verdict(Self.check(.memory, value: 84, state: .alert)).state == .ok)
    }

    @Test func raidAlertsWhenDegradedAndShowsTheRecovery() {
        let recovering = Self.check(.raid, status: "degraded", details: ["disksFailed": 0, "syncAction": "recovery", "syncPercent": 23.4])
        #expect(Self.verdict(recovering) == .alert("degraded, recovery 23.4%"))
        #expect(Self.verdict(Self.check(.raid, status: "inactive")).state == .alert)
        #expect(Self.verdict(Self.check(.raid, status: "ok", details: ["disksFailed": 1])) == .alert("1 failed member"))
        #expect(Self.verdict(Self.check(.raid, status: "ok", details: ["syncAction": "check", "syncPercent": 50])) == .ok("check 50%"))
        #expect(Self.verdict(Self.check(.raid, status: "ok")) == .ok("clean"))
    }

    @Test func aSilentCheckHasNoDataAndASilentContainerStopped() {
        // Reported every minute, with four minutes of grace: five minutes of silence is no data.
        #expect(Self.verdict(Self.check(.disk, value: 50, seenAgo: 4 * 60)).state == .ok)
        #expect(Self.verdict(Self.check(.disk, value: 50, seenAgo: 6 * 60)) == .noData("no data: nothing for 6 min"))
        #expect(Self.verdict(Self.check(.container, status: "ok", seenAgo: 6 * 60)) == .alert("container stopped: nothing for 6 min"))
        #expect(Rules.deadline(Self.check(.disk, value: 50, seenAgo: 0)) == Self.now.addingTimeInterval(300))
    }

    @Test func durationsReadAsWords() {
        #expect(Durations.words(45) == "45 s")
        #expect(Durations.words(5400) == "1 h 30 min")
        #expect(Durations.words(2 * 86400 + 3600) == "2 d 1 h")
        #expect(Durations.percent(37.29) == "37.3")
        #expect(Durations.percent(91) == "91")
    }
}

extension RulesTests {
    @Test func aStartedJobMustFinishWithinItsGrace() {
        var started = Self.check(.heartbeat, status: ObservationStatus.start, seenAgo: 1800, every: 86400, grace: 3600)
        #expect(Self.verdict(started) == .ok("running"))
        #expect(Rules.deadline(started) == started.lastSeen.addingTimeInterval(3600))
        started.lastSeen = Self.now.addingTimeInterval(-3700)
        #expect(Self.verdict(started) == .alert("running too long: started 1 h 1 min ago and not finished"))
        // A start after a failure keeps the alert until a run succeeds.
        let again = Self.check(.heartbeat, status: ObservationStatus.start, state: .alert, seenAgo: 10, every: 86400, grace: 3600)
        #expect(Self.verdict(again).state == .alert)
    }
}
