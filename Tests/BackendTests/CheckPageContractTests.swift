import Foundation
import Shared
import Testing
@testable import Backend

/// The dashboard's reads, on both engines: counts per host and state, and pages in the pages' order.
@Suite struct CheckPageContractTests {
    @Test(arguments: Engine.available)
    func countsAndPagesFollowTheDashboardsOrder(_ engine: Engine) async throws {
        try await TestStores.with(engine) { store, domain in
            let now = Date()
            for (host, disks) in [("b-host", [95.0, 10]), ("a-host", [20.0, 96, 97])] {
                _ = try await domain.ingest.ingest(Report(host: host, sentAt: now, observations: disks.enumerated().map { index, value in
                    Observation(name: "disk:/d\(index)", kind: .disk, value: value, unit: "%")
                }), receivedAt: now)
            }
            let counts = try await store.checkCounts(host: nil, tag: nil)
            // Each host also has its own `host` check, ok while it reports.
            #expect(counts["a-host"] == CheckCounts(ok: 2, alert: 2, noData: 0))
            #expect(counts["b-host"] == CheckCounts(ok: 2, alert: 1, noData: 0))
            #expect(try await store.checkCounts(host: "b-host", tag: nil).keys.sorted() == ["b-host"])
            let all = try await store.checksPage(host: nil, tag: nil, state: nil, offset: 0, limit: 100)
            #expect(all.map { "\($0.host) \($0.name)" } == [
                "a-host disk:/d1", "a-host disk:/d2", "b-host disk:/d0",
                "a-host disk:/d0", "a-host host", "b-host disk:/d1", "b-host host",
            ])
            let second = try await store.checksPage(host: nil, tag: nil, state: nil, offset: 2, limit: 2)
            #expect(second.map(\.name) == ["disk:/d0", "disk:/d0"] && second.map(\.host) == ["b-host", "a-host"])
            let alerts = try await store.checksPage(host: "a-host", tag: nil, state: .alert, offset: 0, limit: 10)
            #expect(alerts.map(\.name) == ["disk:/d1", "disk:/d2"])
        }
    }
}
