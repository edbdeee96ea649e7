import Foundation
import Shared
import Testing
@testable import Backend

/// What the hosts list says of a host as its reports come in, on both engines. PostgreSQL
/// rewrites a known host's row only when its boot id or sender changes or no report became its
/// newest, so these pin what it must still tell: the time of the last report received, late or
/// not, and the newest boot id and sender.
@Suite struct HostRecordContractTests {
    private func host(_ store: any Store) async throws -> HostRecord {
        try #require(try await store.hosts().first { $0.name == "web-1" })
    }

    /// Equal to the microsecond both engines store, give or take its rounding.
    private func same(_ a: Date, _ b: Date) -> Bool { abs(a.microseconds - b.microseconds) <= 1 }

    @Test(arguments: Engine.available)
    func theLastReportTimeFollowsEveryReportReceived(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let first = Reports.now(offset: -30)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -60)), receivedAt: first)
            #expect(same(try await host(store).lastReportAt, first))
            #expect(same(try await host(store).firstSeen, first))

            let second = Reports.now(offset: -20)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -50)), receivedAt: second)
            #expect(same(try await host(store).lastReportAt, second))

            // A report older than the newest one stored, received later, is still a report.
            let late = Reports.now(offset: -10)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -90)), receivedAt: late)
            #expect(same(try await host(store).lastReportAt, late))
            #expect(same(try await host(store).firstSeen, first))

            var empty = Reports.sample(sentAt: Reports.now(offset: -5))
            empty.observations = []
            let last = Reports.now()
            _ = try await domain.ingest.ingest(empty, receivedAt: last)
            #expect(same(try await host(store).lastReportAt, last))
        }
    }

    @Test(arguments: Engine.available)
    func aNewBootIdOrSenderReplacesTheOldAndAMissingOneKeepsIt(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -60)), receivedAt: Reports.now(offset: -30))
            #expect(try await host(store).bootId == "boot-1")

            var rebooted = Reports.sample(sentAt: Reports.now(offset: -50))
            rebooted.bootId = "boot-2"
            let received = Reports.now(offset: -20)
            _ = try await domain.ingest.ingest(rebooted, receivedAt: received)
            var record = try await host(store)
            #expect(record.bootId == "boot-2")
            #expect(record.sender == "metrics-sender/test")
            #expect(same(record.lastReportAt, received))

            var upgraded = Reports.sample(sentAt: Reports.now(offset: -45))
            upgraded.bootId = "boot-2"
            upgraded.sender = "metrics-sender/2"
            _ = try await domain.ingest.ingest(upgraded, receivedAt: Reports.now(offset: -15))
            #expect(try await host(store).sender == "metrics-sender/2")

            var anonymous = Reports.sample(sentAt: Reports.now(offset: -40))
            anonymous.bootId = nil
            anonymous.sender = nil
            _ = try await domain.ingest.ingest(anonymous, receivedAt: Reports.now(offset: -10))
            record = try await host(store)
            #expect(record.bootId == "boot-2")
            #expect(record.sender == "metrics-sender/2")
        }
    }
}
