import Foundation
import Shared
import Testing
@testable import Backend

/// The fill prediction through ingest, on each engine: six hours of stored samples make a growing
/// disk alert before it crosses the threshold, and a flat one stays quiet.
@Suite struct FillAlertingTests {
    /// Reports every 10 minutes over the last six hours, oldest first, then the disk's flips.
    static func report(_ values: [Double], domain: Domain, store: any Store) async throws -> [Flip] {
        let slot = Double(AlertEvaluator.fillSlot)
        let end = Date(timeIntervalSince1970: (Reports.now().timeIntervalSince1970 / slot).rounded(.down) * slot + 5)
        for (index, value) in values.enumerated() {
            let at = end.addingTimeInterval(-Double(values.count - 1 - index) * slot)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(value, at: at), receivedAt: at)
        }
        return try await store.flips(host: "web-1", check: "disk:/", limit: 10)
    }

    @Test(arguments: Engine.available)
    func aGrowingDiskAlertsBeforeItIsFull(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: AlertingServiceTests.alerting) { store, domain in
            // 2 points an hour, 82 % at the end: full in 9 hours.
            let flips = try await Self.report((0...36).map { 82 - 2 * Double(36 - $0) / 6 }, domain: domain, store: store)
            let alert = try #require(flips.first { $0.to == .alert }, "\(flips)")
            #expect(alert.reason.hasPrefix("fills up within 1 d: "), "\(alert.reason)")
            #expect(alert.reason.contains("growing 2%/h, full around "))
        }
    }

    @Test(arguments: Engine.available)
    func aFlatDiskStaysQuiet(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: AlertingServiceTests.alerting) { store, domain in
            let flips = try await Self.report(Array(repeating: 82, count: 37), domain: domain, store: store)
            #expect(!flips.contains { $0.to == .alert }, "\(flips)")
        }
    }
}
