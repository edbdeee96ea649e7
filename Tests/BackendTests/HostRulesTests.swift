import Foundation
import Shared
import Testing
@testable import Backend

/// The rules of the host checks beyond disk and memory, alone: load, CPU, network, units,
/// certificates, SMART, gauges, and inodes with the disk's thresholds.
@Suite struct HostRulesTests {
    static let now = RulesTests.now

    static func samples(_ values: [(ago: TimeInterval, value: Double)]) -> [SampleRecord] {
        values.map { SampleRecord(at: now.addingTimeInterval(-$0.ago), value: $0.value) }
    }

    static func verdict(_ check: CheckRecord, samples: [SampleRecord] = [], settings: RuleSettings = RuleSettings()) -> Verdict {
        Rules.evaluate(check, samples: samples, now: now, settings: settings)
    }

    @Test func loadPerCPUAtTwoForTenMinutesAlerts() {
        let high = RulesTests.check(.load, value: 2.5)
        #expect(Self.verdict(high, samples: Self.samples((0...11).map { (Double($0) * 60, 2.5) })) == .alert("load 2.5 per CPU, at or above 2 for 10 min"))
        // High for five minutes only: not yet.
        #expect(Self.verdict(high, samples: Self.samples((0...5).map { (Double($0) * 60, 2.5) })).state == .ok)
        // One dip below 2 inside the window: ok.
        #expect(Self.verdict(high, samples: Self.samples((0...11).map { (Double($0) * 60, $0 == 4 ? 1.9 : 2.5) })).state == .ok)
        // Alerting, it clears below 1.5, not at 1.8.
        #expect(Self.verdict(RulesTests.check(.load, value: 1.8, state: .alert)).state == .alert)
        #expect(Self.verdict(RulesTests.check(.load, value: 1.4, state: .alert)) == .ok("load 1.4 per CPU"))
    }

    @Test func cpuAndNetworkAlertWhenSustained() {
        let busy = RulesTests.check(.cpu, value: 99, details: ["iowaitPercent": 30])
        #expect(Self.verdict(busy, samples: Self.samples((0...16).map { (Double($0) * 60, 99) })).state == .alert)
        #expect(Self.verdict(busy, samples: Self.samples([(0, 99), (60, 99)])) == .ok("99% busy, 30% iowait"))
        let errors = RulesTests.check(.net, value: 50)
        #expect(Self.verdict(errors, samples: Self.samples((0...6).map { (Double($0) * 60, 50) })) == .alert("50 errors/min, at or above 10 for 5 min"))
        #expect(Self.verdict(errors, samples: Self.samples([(0, 50)])).state == .ok, "one burst is not a rising rate")
        #expect(Self.verdict(RulesTests.check(.net, value: 0.5, state: .alert)).state == .ok)
    }

    /// Like RAID: failed alerts, ok recovers. The sender reports a recovered unit once, so one last
    /// reported ok stays ok when it is no longer reported; one last reported failed has no data.
    @Test func failedUnitsAlertAndRecover() {
        #expect(Self.verdict(RulesTests.check(.unit, status: "failed", details: ["sub": "failed"])) == .alert("failed (failed)"))
        #expect(Self.verdict(RulesTests.check(.unit, status: "ok", state: .alert)) == .ok("not failed"))
        #expect(Self.verdict(RulesTests.check(.unit, status: "ok", seenAgo: 3600)) == .ok("not failed"))
        #expect(Rules.staleState(RulesTests.check(.unit, status: "ok")) == .ok)
        #expect(Self.verdict(RulesTests.check(.unit, status: "failed", state: .alert, seenAgo: 600)) == .noData("no data: nothing for 10 min"))
        #expect(Rules.staleState(RulesTests.check(.unit, status: "failed")) == .noData)
    }

    @Test func certificatesAlertFourteenDaysBeforeExpiry() {
        #expect(Self.verdict(RulesTests.check(.cert, value: 30)) == .ok("expires in 30 d"))
        #expect(Self.verdict(RulesTests.check(.cert, value: 14)).state == .alert)
        #expect(Self.verdict(RulesTests.check(.cert, value: -2)) == .alert("expired 2 d ago, within 14 days"))
        var settings = RuleSettings()
        settings.certAlertDays = 30
        #expect(Self.verdict(RulesTests.check(.cert, value: 20), settings: settings).state == .alert)
        var broken = RulesTests.check(.cert, status: "error")
        broken.error = "cannot read /etc/ssl/x.pem"
        #expect(Self.verdict(broken) == .alert("cannot read /etc/ssl/x.pem"))
    }

    @Test func smartAlertsOnFailureAndOnGrowingSectors() {
        #expect(Self.verdict(RulesTests.check(.smart, value: 3920, status: "failed")) == .alert("SMART self-assessment failed, 3920 bad sectors"))
        let grown = RulesTests.check(.smart, value: 12, status: "ok")
        #expect(Self.verdict(grown, samples: Self.samples([(0, 12), (3600, 8), (7200, 8)])) == .alert("12 bad sectors, up from 8 within 1 d"))
        #expect(Self.verdict(grown, samples: Self.samples([(0, 12), (3600, 12)])) == .ok("passed, 12 bad sectors, not growing"))
        // Grown two days ago, stable since: ok.
        #expect(Self.verdict(grown, samples: Self.samples([(0, 12), (86400 * 2, 8)])).state == .ok)
        #expect(Self.verdict(RulesTests.check(.smart, value: 0, status: "ok")) == .ok("passed"))
    }

    @Test func gaugesHaveThresholdsDurationAndHysteresis() {
        var settings = RuleSettings()
        #expect(Self.verdict(RulesTests.check(.gauge, value: 1e9), settings: settings) == .ok("reported"), "no threshold, no alert")
        settings.gaugeAbove = 100
        settings.gaugeHysteresis = 10
        settings.gaugeFor = 300
        let high = RulesTests.check(.gauge, value: 150)
        #expect(Self.verdict(high, samples: Self.samples((0...6).map { (Double($0) * 60, 150) }), settings: settings) == .alert("150, above 100 for 5 min"))
        #expect(Self.verdict(high, samples: Self.samples([(0, 150), (60, 150)]), settings: settings).state == .ok)
        // Alerting: 95 is below the threshold but not by the margin; 89 is.
        #expect(Self.verdict(RulesTests.check(.gauge, value: 95, state: .alert), settings: settings) == .alert("95, not yet below 90"))
        #expect(Self.verdict(RulesTests.check(.gauge, value: 89, state: .alert), settings: settings).state == .ok)
        var low = RuleSettings()
        low.gaugeBelow = 5
        #expect(Self.verdict(RulesTests.check(.gauge, value: 3), settings: low) == .alert("3, below 5"))
        #expect(Self.verdict(RulesTests.check(.gauge, value: 6), settings: low).state == .ok)
    }

    @Test func inodesAlertWithTheDisksThresholds() {
        #expect(Self.verdict(RulesTests.check(.inodes, value: 95)) == .alert("inodes 95% used, above 90%"))
        #expect(Self.verdict(RulesTests.check(.inodes, value: 87, state: .alert)) == .alert("inodes 87% used, not yet below 85%"))
        #expect(Self.verdict(RulesTests.check(.inodes, value: 87)) == .ok("inodes 87% used"))
        #expect(Self.verdict(RulesTests.check(.inodes, value: 80, state: .alert)) == .ok("inodes 80% used"))
        var tighter = RuleSettings()
        tighter.diskAlertAbove = 80
        #expect(Self.verdict(RulesTests.check(.inodes, value: 81), settings: tighter).state == .alert)
        // Inodes no longer reported have no data, as the disk: never a false recovery (a host that
        // went down mutes both).
        #expect(Self.verdict(RulesTests.check(.inodes, value: 95, state: .alert, seenAgo: 3600)).state == .noData)
        // The disk check no longer reads inodes.
        #expect(Self.verdict(RulesTests.check(.disk, value: 40, details: ["inodesUsedPercent": 99])).state == .ok)
    }

    @Test func unhealthyOrRestartingContainersAlert() {
        #expect(Self.verdict(RulesTests.check(.container, status: "degraded", details: ["health": "unhealthy"])) == .alert("unhealthy"))
        #expect(Self.verdict(RulesTests.check(.container, status: "degraded", details: ["state": "restarting"])) == .alert("restarting again and again"))
        #expect(Self.verdict(RulesTests.check(.container, status: "degraded", details: ["restartedTimes": 3])) == .alert("restart loop: restarted 3 times since the last report"))
        #expect(Self.verdict(RulesTests.check(.container, status: "ok", state: .alert)) == .ok("running"))
    }

    @Test func everyNewKindHasRuleFileKeysOverridablePerCheck() throws {
        let settings = try RulesFileTests.load("""
            [defaults]
            load_alert_at = 4
            cert_alert_days = 21
            [checks."*"."queue-depth"]
            gauge_above = 100
            gauge_for = "5m"
            gauge_hysteresis = 10
            [hosts."build-1"]
            load_alert_at = 8
            cpu_sustain = "1h"
            """)
        var check = RulesTests.check(.load, value: 1)
        #expect(settings.rules(for: check, tags: []).loadAlertAt == 4)
        #expect(settings.rules(for: check, tags: []).certAlertDays == 21)
        check.host = "build-1"
        #expect(settings.rules(for: check, tags: []).loadAlertAt == 8)
        #expect(settings.rules(for: check, tags: []).cpuSustain == 3600)
        check.name = "queue-depth"
        #expect(settings.rules(for: check, tags: []).gaugeAbove == 100)
        #expect(settings.rules(for: check, tags: []).gaugeFor == 300)
        #expect(throws: ConfigError.self) { try RulesFileTests.load("[defaults]\ncpu_alert_at = 150\n") }
        #expect(throws: ConfigError.self) { try RulesFileTests.load("[defaults]\ncert_alert_days = -1\n") }
        #expect(throws: ConfigError.self) { try RulesFileTests.load("[defaults]\ngauge_above = \"high\"\n") }
    }

    /// Any finite value a report may carry (1e300) is judged and worded without trapping.
    @Test func hugeValuesAreWordedNotTrapped() {
        for kind in CheckKind.allCases {
            var check = RulesTests.check(kind, value: 1e300)
            check.status = kind == .smart ? ObservationStatus.failed : kind == .container ? ObservationStatus.degraded : nil
            check.details = ["restartedTimes": .number(1e300), "disksFailed": .number(-1e300), "inodesUsedPercent": .number(1e300)]
            _ = Rules.evaluate(check, samples: [SampleRecord(at: Date(), value: 1e300)], now: Date())
        }
        #expect(Durations.words(1e300).contains(" d"))
        #expect(Durations.percent(-1e300) == String(Int(-9.2e18)))
        #expect(TimeText.value(1e300, unit: "%").hasSuffix("%"))
    }
}
