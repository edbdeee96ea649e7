import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
@testable import Backend

/// What the pages say of maintenance windows and of the evaluation leader.
@Suite struct MaintenancePagesTests {
    /// `patching` is open now over db-*; `new-year` opens on 1 January.
    static func windows(_ config: inout BackendConfig) {
        let always = try? CronSchedule("* * * * *", timeZone: "UTC"), yearly = try? CronSchedule("0 0 1 1 *", timeZone: "Europe/Berlin")
        guard let always, let yearly else { return }
        config.alerting.settings.maintenance = MaintenanceWindows(windows: [
            MaintenanceWindow(name: "patching", schedule: always, duration: 120, hosts: [Glob("db-*")]),
            MaintenanceWindow(name: "new-year", schedule: yearly, duration: 3600, checks: [Glob("disk:*")]),
        ])
    }

    @Test func theDashboardHostPageAndListShowWhatIsInMaintenance() async throws {
        try await PagesHTTPTests.withPages(Self.windows) { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await PagesHTTPTests.login(client).browser)
                let dashboard = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).body)
                let summary = dashboard.components(separatedBy: "<table id=\"summary\">")[1].components(separatedBy: "</table>")[0]
                let rows = summary.components(separatedBy: "<tr class=\"state-").dropFirst()
                #expect(rows.first { $0.contains(">db-1<") }?.contains("maintenance until") == true)
                #expect(rows.first { $0.contains(">web-1<") }?.contains("maintenance") == false)
                // Every check of db-1 (its RAID, disk, gauge and host), none of web-1.
                let checks = dashboard.components(separatedBy: "<tr class=\"check ").dropFirst()
                #expect(checks.filter { $0.contains("data-host=\"db-1\"") }.allSatisfy { $0.contains("in maintenance until") })
                #expect(checks.filter { $0.contains("data-host=\"web-1\"") }.allSatisfy { !$0.contains("in maintenance") })
                #expect(checks.filter { $0.contains("in maintenance until") }.count == 4)

                let host = String(buffer: try await client.execute(uri: "/hosts/db-1", method: .get, headers: b.headers).body)
                #expect(host.contains("In maintenance window <a href=\"/maintenance\">patching</a> until"))

                let list = String(buffer: try await client.execute(uri: "/maintenance", method: .get, headers: b.headers).body)
                let patching = try #require(list.components(separatedBy: "data-name=\"patching\"").dropFirst().first)
                #expect(patching.components(separatedBy: "</tr>")[0].contains("open</span> until"))
                let newYear = try #require(list.components(separatedBy: "data-name=\"new-year\"").dropFirst().first).components(separatedBy: "</tr>")[0]
                #expect(newYear.contains("closed") && newYear.contains("disk:*") && newYear.contains("every host"))
                // Midnight in Berlin is 23:00 UTC on 31 December.
                #expect(newYear.contains("-12-31 23:00:00 UTC"))
            }
        }
    }

    @Test func theDashboardAndReadyzNameTheLeaderAndItsBeat() async throws {
        try await PagesHTTPTests.withPages { h in
            // SQLite: one process, which leads; its beat is in the table.
            _ = try await h.store.lead(backend: "backend-a", startedAt: Date()) { beat in try await beat() }
            try await h.app.test(.router) { client in
                let b = try #require(try await PagesHTTPTests.login(client).browser)
                let dashboard = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).body)
                #expect(dashboard.contains("Evaluation is led by <code>backend-a</code>, last beat "))
                let ready = try await client.execute(uri: "/readyz", method: .get)
                let object = try JSONSerialization.jsonObject(with: Data(String(buffer: ready.body).utf8)) as? [String: Any]
                let evaluation = try #require(object?["evaluation"] as? [String: Any])
                #expect(evaluation["leader"] as? String == "backend-a")
                #expect(evaluation["leaderStale"] as? Bool == false)
                #expect((evaluation["leaderBeatAgeSeconds"] as? Double ?? 999) < 60)
                #expect(evaluation["backend"] as? String == h.domain.leadership.backend)
            }
        }
    }
}
