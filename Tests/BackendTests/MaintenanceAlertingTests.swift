import Foundation
import Shared
import Testing
@testable import Backend

/// Maintenance windows through the domain services, on each engine, with the time injected:
/// nothing is heard inside a window, checks leave it with a fresh period, and what is still
/// wrong afterwards is heard once.
@Suite struct MaintenanceAlertingTests {
    /// A daily 10-minute window over `web-*` that opened about half an hour ago (on a whole minute, UTC).
    static func windowed() throws -> (AlertConfig, opened: Date) {
        let opened = Date(timeIntervalSince1970: (Reports.now(offset: -1800).timeIntervalSince1970 / 60).rounded(.down) * 60)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute], from: opened)
        var config = AlertingServiceTests.alerting
        let schedule = try CronSchedule("\(parts.minute ?? 0) \(parts.hour ?? 0) * * *", timeZone: "UTC")
        config.settings.maintenance = MaintenanceWindows(windows: [MaintenanceWindow(name: "nightly", schedule: schedule, duration: 600, hosts: [Glob("web-*")])])
        return (config, opened)
    }

    @Test(arguments: Engine.available)
    func aHeartbeatSilentThroughAWindowGetsAFreshPeriodThenOneAlert(_ engine: Engine) async throws {
        let (config, opened) = try Self.windowed()
        try await TestStores.with(engine, alerting: config) { store, domain in
            // Pinged 2 min before the window: due 4 min into it (every 5 min, grace 1 min).
            let pinged = opened.addingTimeInterval(-120)
            let ping = Report(host: "web-1", sentAt: pinged, observations: [Observation(name: "backup", kind: .heartbeat, status: "ok", every: 300, grace: 60)])
            _ = try await domain.ingest.ingest(ping, receivedAt: pinged)
            let closes = opened.addingTimeInterval(600)
            let wakes = try await domain.alerting.wakeTimes(now: pinged)
            #expect(wakes.count == 1)
            // Due a full period after the window closes.
            #expect(abs((wakes.first?.at ?? .distantPast).timeIntervalSince(closes.addingTimeInterval(360))) < 0.001)
            let id = try #require(wakes.first?.id)
            // Inside the window, past its old deadline: quiet, and the page can say until when.
            let inside = try await domain.alerting.evaluate(ids: [id], now: opened.addingTimeInterval(300))
            #expect(inside.flips == 0 && inside.messages == 0)
            let check = try #require(try await store.checks(host: "web-1", state: nil).first { $0.name == "backup" })
            #expect(domain.alerting.settings.maintenanceUntil(check, tags: [], now: opened.addingTimeInterval(300)) == closes)
            // Closed, within the fresh grace: still no false alert.
            for offset in [0.0, 60, 359] {
                let after = try await domain.alerting.evaluate(ids: [id], now: closes.addingTimeInterval(offset))
                #expect(after.flips == 0 && after.messages == 0, "\(offset) s after the window")
            }
            #expect(try await Self.drainCount(domain) == 0)
            // Still nothing once the grace passed: one alert.
            let late = try await domain.alerting.evaluate(ids: [id], now: closes.addingTimeInterval(361))
            #expect(late.flips == 1 && late.messages == 1)
            _ = try await domain.alerting.evaluate(ids: [id], now: closes.addingTimeInterval(420))
            let items = try await AlertingServiceTests.drain(domain)
            #expect(items.map(\.message.kind) == [.problem, .problem])
            #expect(items.first?.message.reason.hasPrefix("missed") == true)
        }
    }

    /// A threshold alert inside the window flips quietly; the scheduler wakes when the window
    /// closes and the user hears of it then, once.
    @Test(arguments: Engine.available)
    func aThresholdAlertInsideAWindowIsHeardWhenItCloses(_ engine: Engine) async throws {
        let (config, opened) = try Self.windowed()
        try await TestStores.with(engine, alerting: config) { store, domain in
            let before = opened.addingTimeInterval(-60), inside = opened.addingTimeInterval(60)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(50, at: before), receivedAt: before)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(95, at: inside), receivedAt: inside)
            #expect(try await store.checks(host: "web-1", state: .alert).map(\.name) == ["disk:/"])
            #expect(try await Self.drainCount(domain) == 0)
            let closes = opened.addingTimeInterval(600)
            let wakes = try await domain.alerting.wakeTimes(now: inside)
            let disk = try #require(try await store.checks(host: "web-1", state: .alert).first)
            #expect(domain.alerting.settings.maintenanceUntil(disk, tags: [], now: inside) == closes)
            // Both checks of the host (the disk and the host's own) are in the window: they wake when it closes.
            #expect(wakes.count == 2 && wakes.allSatisfy { abs($0.at.timeIntervalSince(closes)) < 0.001 })
            let atClose = wakes.map(\.id)
            let closed = try await domain.alerting.evaluate(ids: atClose, now: closes)
            #expect(closed.flips == 0 && closed.messages == 1)
            let items = try await AlertingServiceTests.drain(domain)
            #expect(items.map(\.message.kind) == [.problem, .problem])
            #expect(items.first?.message.reason == "95% used, above 90%")
        }
    }

    static func drainCount(_ domain: Domain) async throws -> Int {
        try await AlertingServiceTests.drain(domain, now: Date().addingTimeInterval(1)).count
    }
}
