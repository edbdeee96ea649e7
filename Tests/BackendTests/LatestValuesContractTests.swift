import Foundation
import Shared
import Testing
@testable import Backend

/// Which report a check's shown values come from, when reports of a host name different checks
/// or arrive out of order. PostgreSQL keeps a host's newest report in one row and the rest in the
/// checks' rows; SQLite writes every check's row. Both must show the same.
@Suite struct LatestValuesContractTests {
    private func check(_ store: any Store, _ name: String) async throws -> CheckRecord {
        try #require(try await store.checks(host: "web-1", state: nil).first { $0.name == name })
    }

    /// Equal to the microsecond, as the engines store times (PostgreSQL may cut the last one).
    private func same(_ a: Date, _ b: Date) -> Bool {
        abs(a.microseconds - b.microseconds) <= 1
    }

    private func report(_ sentAt: Date, _ observations: [Observation]) -> Report {
        Report(host: "web-1", sentAt: sentAt, observations: observations)
    }

    @Test(arguments: Engine.available)
    func aCheckLeftOutOfTheNewestReportKeepsItsLastValues(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let times = (1...4).map { Reports.now(offset: Double(-50 + 10 * $0)) }
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: times[0]), receivedAt: Date())
            // A value that only a later report holds, before that report is replaced.
            _ = try await domain.ingest.ingest(report(times[1], [
                Observation(name: "memory", kind: .memory, value: 45, unit: "%"),
                Observation(name: "disk:/", kind: .disk, value: 72, unit: "%", details: ["mountPoint": "/", "fsType": "ext4"]),
            ]), receivedAt: Date())
            _ = try await domain.ingest.ingest(report(times[2], [Observation(name: "memory", kind: .memory, value: 50, unit: "%")]), receivedAt: Date())

            let memory = try await check(store, "memory")
            #expect(memory.value == 50)
            #expect(memory.details == nil)
            #expect(same(memory.observedAt, times[2]))
            let disk = try await check(store, "disk:/")
            #expect(disk.value == 72)
            #expect(disk.unit == "%")
            #expect(disk.details?["mountPoint"] == .string("/"))
            #expect(same(disk.observedAt, times[1]))
            let raid = try await check(store, "raid:md0")
            #expect(raid.status == "degraded")
            #expect(same(raid.observedAt, times[0]))

            _ = try await domain.ingest.ingest(Reports.sample(sentAt: times[3], memory: 60), receivedAt: Date())
            #expect(try await check(store, "memory").value == 60)
            #expect(try await check(store, "disk:/").value == 71)
            #expect(same(try await check(store, "disk:/").observedAt, times[3]))
            #expect(try await check(store, "memory").details?["totalBytes"] == .number(1000))
        }
    }

    @Test(arguments: Engine.available)
    func aLateReportUpdatesOnlyChecksNothingNewerNames(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let oldest = Reports.now(offset: -30), late = Reports.now(offset: -20), newest = Reports.now(offset: -10)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: oldest), receivedAt: Date())
            _ = try await domain.ingest.ingest(report(newest, [Observation(name: "memory", kind: .memory, value: 60, unit: "%")]), receivedAt: Date())
            _ = try await domain.ingest.ingest(report(late, [
                Observation(name: "memory", kind: .memory, value: 40, unit: "%"),
                Observation(name: "disk:/", kind: .disk, value: 20, unit: "%"),
            ]), receivedAt: Date())

            // memory: the newest report has it; disk: the late report is newer than its last.
            #expect(try await check(store, "memory").value == 60)
            let disk = try await check(store, "disk:/")
            #expect(disk.value == 20)
            #expect(same(disk.observedAt, late))
            #expect(same(try await check(store, "raid:md0").observedAt, oldest))
        }
    }

    @Test(arguments: Engine.available)
    func aNewIntervalReplacesTheStoredOneAndAMissingOneKeepsIt(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -30)), receivedAt: Date())
            #expect(try await check(store, "backup-db").every == 86400)

            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: Reports.now(offset: -20), observations: [
                Observation(name: "backup-db", kind: .heartbeat, status: "ok", every: 3600, grace: 60),
                Observation(name: "memory", kind: .memory, value: 41, unit: "%"),
            ]), receivedAt: Date())
            var backup = try await check(store, "backup-db")
            #expect(backup.every == 3600)
            #expect(backup.grace == 60)

            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: Reports.now(offset: -10), observations: [
                Observation(name: "backup-db", kind: .heartbeat, status: "fail"),
                Observation(name: "memory", kind: .memory, value: 42, unit: "%"),
            ]), receivedAt: Date())
            backup = try await check(store, "backup-db")
            #expect(backup.every == 3600)
            #expect(backup.grace == 60)
            #expect(backup.status == "fail")
            #expect(try await check(store, "memory").value == 42)
        }
    }

    /// Reports of one host at once, alternating which disk they name: batches race for the
    /// host's latest report, and every check still ends with the newest report that named it.
    @Test(arguments: Engine.available)
    func racingReportsWithDifferentChecksEachLeaveTheNewestValues(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let start = Reports.now(offset: -100)
            var reports: [Report] = []
            for minute in 0..<40 {
                let value = Double(minute)
                let disk = minute % 2 == 0 ? "disk:/a" : "disk:/b"
                reports.append(report(start.addingTimeInterval(value), [
                    Observation(name: "memory", kind: .memory, value: value, unit: "%"),
                    Observation(name: disk, kind: .disk, value: value, unit: "%"),
                ]))
            }
            // In waves of three, so some waves share a batch and some split across batches.
            for wave in stride(from: 0, to: reports.count, by: 3) {
                try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                    for report in reports[wave..<min(wave + 3, reports.count)] {
                        group.addTask { try await domain.ingest.ingest(report, receivedAt: report.sentAt) }
                    }
                    for try await outcome in group { #expect(outcome == .stored(samples: 2)) }
                }
            }
            #expect(try await check(store, "memory").value == 39)
            let a = try await check(store, "disk:/a"), b = try await check(store, "disk:/b")
            #expect(a.value == 38)
            #expect(same(a.observedAt, start.addingTimeInterval(38)))
            #expect(b.value == 39)
            #expect(same(b.observedAt, start.addingTimeInterval(39)))
        }
    }
}
