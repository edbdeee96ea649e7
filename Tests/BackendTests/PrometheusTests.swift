import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// `/metrics` on a live backend, checked by Prometheus' own `promtool check metrics`.
@Suite struct PrometheusTests {
    static let promtool = "/usr/bin/promtool"

    @Test func aLiveScrapePassesPromtool() async throws {
        let rig = try await AlertRig()
        do {
            try await rig.startBackend()
            try await rig.report([rig.disk(95), rig.disk(40, mount: "/we\"ird\\path"), Observation(name: "raid:md0", kind: .raid, status: "ok")])
            #expect(try await rig.wait { rig.delivered().count == 1 })
            let text = await String(decoding: try EndToEndTests.get("\(rig.url)/metrics", token: rig.reader), as: UTF8.self)
            #expect(text.contains(#"metrics_check_value{host="web-1",name="disk:/",kind="disk"} 95"#))
            #expect(text.contains(#"metrics_check_state{host="web-1",name="disk:/",kind="disk"} 1"#))
            #expect(text.contains(#"name="disk:/we\"ird\\path""#))
            #expect(text.contains(#"metrics_ingested_reports_total 1"#))
            #expect(text.contains(#"metrics_flips_total 1"#))
            #expect(text.contains(#"route="/api/v1/report""#))
            #expect(text.contains(#"metrics_notifications_delivered_total{channel="telegram:1001"} 1"#))

            let file = rig.work.appendingPathComponent("scrape.txt")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let checked = try await EndToEndTests.run("/bin/sh", ["-c", "\(Self.promtool) check metrics < '\(file.path)'"], environment: [:])
            #expect(checked.status == 0, "promtool: \(checked.stdout) \(checked.stderr)")

            // Without a token: 401, as for the read API.
            let anonymous = try await EndToEndTests.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "\(rig.url)/metrics"], environment: [:])
            #expect(anonymous.stdout == "401")
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }
}
