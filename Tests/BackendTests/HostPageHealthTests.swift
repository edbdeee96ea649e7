import Foundation
import Shared
import Testing
@testable import Backend

/// The host page's new parts: load and CPU charts with hover values, inode use, failed units
/// with their journal, certificates with days left, and the fill prediction.
@Suite struct HostPageHealthTests {
    @Test func theHostPageShowsUnitsCertificatesInodesAndNewCharts() async throws {
        try await PagesHTTPTests.withPages { h in
            let now = Date()
            _ = try await h.domain.ingest.ingest(Report(host: "app-1", sentAt: now, observations: [
                Observation(name: "load", kind: .load, value: 0.42, details: ["load1": 0.84, "cpus": 2]),
                Observation(name: "cpu", kind: .cpu, value: 12.5, unit: "%", details: ["iowaitPercent": 1]),
                Observation(name: "disk:/", kind: .disk, value: 55, unit: "%", details: ["inodesUsedPercent": 3.1]),
                Observation(name: "inodes:/", kind: .inodes, value: 3.1, unit: "%"),
                Observation(name: "unit:backup-db.service", kind: .unit, status: "failed", details: ["description": "Nightly database backup"]),
                Observation(name: "cert:/etc/ssl/site.pem", kind: .cert, value: 5.4, unit: "days", details: ["commonName": "site.example"]),
                Observation(name: "cert:example.com:443", kind: .cert, value: -2.2, unit: "days"),
            ]), receivedAt: now)
            try await h.app.test(.router) { client in
                let browser = try #require(try await PagesHTTPTests.login(client).browser)
                let page = String(buffer: try await client.execute(uri: "/hosts/app-1", method: .get, headers: browser.headers).body)
                #expect(page.contains("id=\"units\""))
                #expect(page.contains("backup-db.service"))
                #expect(page.contains("/journal?host=app-1&amp;unit=backup-db.service"), "each unit links to its journal")
                #expect(page.contains("id=\"certs\""))
                #expect(page.contains("5 days left"))
                #expect(page.contains("expired 3 days ago"))
                #expect(page.range(of: "expired 3 days ago")?.lowerBound ?? page.endIndex < page.range(of: "5 days left")?.lowerBound ?? page.startIndex,
                        "soonest expiry first")
                #expect(page.contains("aria-label=\"inodes:/, last 24 h\""))
                #expect(page.contains("aria-label=\"load, last 24 h\""))
                #expect(page.contains("aria-label=\"cpu, last 24 h\""))
                #expect(page.contains("<title>"), "charts have hover values")
                let plain = String(buffer: try await client.execute(uri: "/hosts/web-1", method: .get, headers: browser.headers).body)
                #expect(!plain.contains("id=\"units\"") && !plain.contains("id=\"certs\""))
            }
        }
    }

    @Test func hoverBandsSayTheTimeAndTheAverage() {
        let from = Date(timeIntervalSince1970: 1_800_000_000), to = from.addingTimeInterval(600)
        let svg = SVGChart.hoverBands([10, 20, nil, nil, 40, 40], from: from, to: to, unit: "%", left: 0, top: 0, width: 60, height: 10, bands: 3)
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2, "an empty band has no hover")
        #expect(svg.contains("<title>2027-01-15 08:01 UTC: 15 %</title>"))
        #expect(svg.contains("<title>2027-01-15 08:08 UTC: 40 %</title>"))
    }

    @Test func aGrowingDiskShowsWhenItFills() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let samples = (0...360).map { SampleRecord(at: now.addingTimeInterval(-Double($0) * 60), value: 80 - Double($0) / 30) }
        let disk = RulesTests.check(.disk, value: 80)
        #expect(HostHealthRows.fill(disk, samples: samples, now: now, settings: RuleSettings()) == "at 2 %/h, full around 2027-01-15 18:00 UTC")
        #expect(HostHealthRows.fill(disk, samples: samples.map { SampleRecord(at: $0.at, value: 50) }, now: now, settings: RuleSettings()) == nil)
    }
}
