import Foundation
import Shared
import Testing
@testable import Backend

/// The fill prediction through ingest, on each engine: six hours of stored samples make a growing
/// disk alert before it crosses the threshold, and a flat one stays quiet.
@Suite struct FillAlertingTests {
    /// Reports every 5 minutes over the last six hours, oldest first, then the disk's flips.
    static func report(_ values: [Double], domain: Domain, store: any Store) async throws -> [Flip] {
        // A series in which a report after the first hour predicts (nearly every series does).
        let now = Reports.now()
        let end = (0..<600).map { now.addingTimeInterval(-Double($0)) }.first { end in
            (13..<values.count).contains { AlertEvaluator.fillDue(end.addingTimeInterval(-Double(values.count - 1 - $0) * 300), key: "web-1/disk:/") }
        }
        guard let end else { throw TestSetupError("no report of ten minutes of series predicts") }
        for (index, value) in values.enumerated() {
            let at = end.addingTimeInterval(-Double(values.count - 1 - index) * 300)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(value, at: at), receivedAt: at)
        }
        return try await store.flips(host: "web-1", check: "disk:/", limit: 10)
    }

    @Test(arguments: Engine.available)
    func aGrowingDiskAlertsBeforeItIsFull(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: AlertingServiceTests.alerting) { store, domain in
            // 2 points an hour, 82 % at the end: full in 9 hours.
            let flips = try await Self.report((0...72).map { 82 - 2 * Double(72 - $0) / 12 }, domain: domain, store: store)
            let alert = try #require(flips.first { $0.to == .alert }, "\(flips)")
            #expect(alert.reason.hasPrefix("fills up within 1 d: "), "\(alert.reason)")
            #expect(alert.reason.contains("growing 2%/h, full around "))
        }
    }

    @Test(arguments: Engine.available)
    func aFlatDiskStaysQuiet(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: AlertingServiceTests.alerting) { store, domain in
            let flips = try await Self.report(Array(repeating: 82, count: 73), domain: domain, store: store)
            #expect(!flips.contains { $0.to == .alert }, "\(flips)")
        }
    }
}

extension FillAlertingTests {
    /// The evaluator reads the samples a batch needs in one go: each check from its own time,
    /// checks of several hosts and of one host alike, oldest first.
    @Test(arguments: Engine.available)
    func samplesOfSeveralChecksComeEachFromItsOwnTime(_ engine: Engine) async throws {
        try await TestStores.with(engine) { store, domain in
            let start = Reports.now(offset: -3600)
            for minute in 0..<10 {
                let at = start.addingTimeInterval(Double(minute * 60))
                for host in ["a-1", "b-1"] {
                    _ = try await domain.ingest.ingest(Report(host: host, sentAt: at, observations: [
                        Observation(name: "disk:/", kind: .disk, value: Double(minute), unit: "%"),
                        Observation(name: "memory", kind: .memory, value: Double(50 + minute), unit: "%"),
                    ]), receivedAt: at)
                }
            }
            var ids: [String: Int64] = [:]
            try await store.eachAlertCandidate { ids["\($0.check.host) \($0.check.name)"] = $0.id }
            let wanted: [String: Date] = [
                "a-1 disk:/": start.addingTimeInterval(7 * 60), "a-1 memory": start,
                "b-1 disk:/": start.addingTimeInterval(9 * 60),
            ]
            let since = Dictionary(uniqueKeysWithValues: try wanted.map { (try #require(ids[$0.key]), $0.value) })
            let samples = try await store.withAlertTransaction { tx in try await tx.samples(since: since) }
            #expect(samples[try #require(ids["a-1 disk:/"])]?.map(\.value) == [7, 8, 9])
            #expect(samples[try #require(ids["a-1 memory"])]?.map(\.value) == (50...59).map(Double.init))
            #expect(samples[try #require(ids["b-1 disk:/"])]?.map(\.value) == [9])
            #expect(samples[try #require(ids["b-1 memory"])] == nil)
        }
    }
}
