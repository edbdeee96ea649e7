import Foundation
import PostgresNIO
import Shared
import Testing
@testable import Backend

/// Hostile or odd input that reaches storage: each case runs on SQLite and PostgreSQL alike, and
/// both engines must keep the same thing.
@Suite struct HostileInputContractTests {
    /// jsonb refuses `\u0000`; a NUL in `exec` output (`find -print0`) once got a 503 forever.
    @Test(arguments: Engine.available)
    func detailsWithNULAreStoredTheSameOnBothEngines(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let report = Report(host: "web-1", sentAt: Reports.now(offset: -5), observations: [
                Observation(name: "backup", kind: .heartbeat, status: "ok", details: ["output": "a\u{0}b", "k\u{0}": .array(["\u{0}"])]),
            ])
            #expect(try await domain.ingest.ingest(report, receivedAt: Reports.now()) == .stored(samples: 0))
            let check = try #require(try await store.checks(host: "web-1", state: nil).first { $0.name == "backup" })
            #expect(check.details == ["output": "a\\x00b", "k\\x00": .array(["\\x00"])])
        }
    }

    /// A ping URL (or the heartbeat API) must not turn a sender's check, or the host's own, into
    /// a heartbeat that a cron `curl` keeps green.
    @Test(arguments: Engine.available)
    func aHeartbeatCannotTakeOverACheckOfAnotherKind(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Reports.now(offset: -5)), receivedAt: Reports.now())
            for name in ["disk:/", "host"] {
                await #expect(throws: HeartbeatConflict.self) { try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: name, slug: "x"), now: Date()) }
            }
            let checks = try await store.checks(host: "web-1", state: nil)
            #expect(checks.first { $0.name == "disk:/" }?.kind == .disk)
            #expect(checks.first { $0.name == "host" }?.kind != .heartbeat)
            #expect(try await store.heartbeats(host: "web-1", slug: "x").isEmpty)
            // A heartbeat of the same name is given its ping URL as before.
            let made = try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "backup-db", slug: "backup-db"), now: Date())
            #expect(!made.created)
            #expect(try await store.heartbeats(pingID: made.pingID).map(\.name) == ["backup-db"])
        }
    }

    /// Anyone with a ping URL could store 100 kB per ping for a month; a check keeps its newest 100.
    @Test(arguments: Engine.available)
    func aCheckKeepsOnlyItsNewestPings(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "job", slug: "job"), now: Date())
            let start = Reports.now(offset: -600)
            for index in 0..<(PingRecord.keptPerCheck + 5) {
                let at = start.addingTimeInterval(Double(index))
                let ping = PingRecord(host: "web-1", check: "job", at: at, kind: .log, method: "POST", body: "run \(index)")
                if index.isMultiple(of: 2) {
                    try await store.recordPing(ping)
                } else {
                    // A success ping goes in with its report, in one transaction.
                    let report = Report(host: "web-1", sentAt: at, reportId: UUID().uuidString, observations: [
                        Observation(name: "job", kind: .heartbeat, status: "ok"),
                    ])
                    var success = ping
                    success.kind = .success
                    #expect(try await domain.ingest.ingest(report, ping: success, receivedAt: at) != .duplicate)
                }
            }
            let kept = try await store.pings(host: "web-1", check: "job", limit: 1000)
            #expect(kept.count == PingRecord.keptPerCheck)
            #expect(kept.first?.body == "run \(PingRecord.keptPerCheck + 4)")
            #expect(kept.last?.body == "run 5")
            #expect(kept.first?.kind == .log && kept[1].kind == .success)
        }
    }

    /// One host token inventing checks: past the limit a report is refused whole.
    @Test(arguments: Engine.available)
    func aHostCannotGoPastItsCheckLimit(_ engine: Engine) async throws {
        try await TestStores.with(engine, checkLimit: CheckLimit(maxPerHost: 5)) { (store: any Store, domain: Domain) async throws in
            func report(_ names: [String], offset: Double) -> Report {
                Report(host: "web-1", sentAt: Reports.now(offset: offset), observations: names.map { Observation(name: $0, kind: .gauge, value: 1) })
            }
            _ = try await domain.ingest.ingest(report(["a", "b", "c", "d"], offset: -50), receivedAt: Reports.now())
            await #expect(throws: CheckLimit.Exceeded(host: "web-1", checks: 6, limit: 5)) {
                try await domain.ingest.ingest(report(["a", "e", "f"], offset: -40), receivedAt: Reports.now())
            }
            // Nothing of the refused report was stored, and the host's known checks still report.
            var checks = try await store.checks(host: "web-1", state: nil)
            #expect(checks.map(\.name) == ["a", "b", "c", "d", "host"])
            #expect(try await domain.ingest.ingest(report(["a", "b", "c", "d", "e"], offset: -30), receivedAt: Reports.now()) == .stored(samples: 5))
            await #expect(throws: CheckLimit.Exceeded.self) {
                try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "job", slug: "job"), now: Date())
            }
            checks = try await store.checks(host: "web-1", state: nil)
            #expect(checks.count == 6)
            // Another host is not touched by it.
            #expect(try await domain.ingest.ingest(Reports.sample(host: "db-1", sentAt: Reports.now(offset: -20)), receivedAt: Reports.now()) == .stored(samples: 2))
        }
    }

    /// A failed statement's log line must not carry its bound values (tokens, emails, bodies).
    @Test(arguments: Engine.available.filter { $0 == .postgres })
    func postgresErrorsAreLoggedWithoutTheirValues(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let postgres = try #require(store as? PostgresStore)
            let secret = "csrf-" + TokenHash.generate()
            do {
                try await postgres.client.query("SELECT \(secret)::int", logger: TestStores.logger)
                Issue.record("the query did not fail")
            } catch {
                #expect(String(reflecting: error).contains(secret), "PostgresNIO's own text shows the value")
                let logged = LoggedError.text(error)
                #expect(!logged.contains(secret))
                #expect(logged.contains("22P02"))
                #expect(logged.contains("invalid input syntax for type integer"))
            }
            // Inside a transaction, as every ingest batch runs, the error comes wrapped.
            do {
                try await postgres.client.transaction(logger: TestStores.logger) { connection in
                    try await connection.query("SELECT \(secret)::int", logger: TestStores.logger)
                }
                Issue.record("the transaction did not fail")
            } catch {
                #expect(String(reflecting: error).contains(secret))
                let logged = LoggedError.text(error)
                #expect(!logged.contains(secret) && logged.contains("22P02"), "\(logged)")
            }
        }
    }

    /// A clock that jumped ahead once froze a host's values: every correctly dated report after
    /// it looked older. Reports are placed at their arrival when they claim to be from its future.
    @Test(arguments: Engine.available)
    func aClockThatJumpedAheadHidesNoLaterValue(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let now = Reports.now()
            func disk(_ value: Double, sentAt: Date, receivedAt: Date, resent: Bool? = nil) async throws {
                let report = Report(host: "web-1", sentAt: sentAt, resent: resent,
                                    observations: [Observation(name: "disk:/", kind: .disk, value: value, unit: "%")])
                #expect(try await domain.ingest.ingest(report, receivedAt: receivedAt) != .duplicate)
            }
            func value() async throws -> Double? { try await store.checks(host: "web-1", state: nil).first { $0.name == "disk:/" }?.value }
            func offset() async throws -> Double? { try await store.hosts().first?.clockOffset }

            try await disk(40, sentAt: now.addingTimeInterval(3600), receivedAt: now.addingTimeInterval(-120))
            #expect(try await value() == 40)
            #expect(try await offset().map { abs($0 - 3720) < 1 } == true)
            // The clock is set right again: the next report counts.
            try await disk(95, sentAt: now.addingTimeInterval(-60), receivedAt: now.addingTimeInterval(-60))
            #expect(try await value() == 95)
            #expect(try await offset().map { abs($0) < 1 } == true)
            // One report dated 2030, then normal ones again.
            try await disk(50, sentAt: Date(timeIntervalSince1970: 1_900_000_000), receivedAt: now.addingTimeInterval(-30))
            #expect(try await value() == 50)
            try await disk(60, sentAt: now, receivedAt: now)
            #expect(try await value() == 60)
            // A report kept back by the sender and sent late still does not pass a newer one.
            try await disk(10, sentAt: now.addingTimeInterval(-600), receivedAt: now.addingTimeInterval(1), resent: true)
            #expect(try await value() == 60)
            // Neither that late report nor a ping (dated by the backend) says anything of the host's clock.
            #expect(try await offset().map { abs($0) < 1 } == true)
            try await disk(70, sentAt: now.addingTimeInterval(1800), receivedAt: now.addingTimeInterval(2))
            let ping = PingRecord(host: "web-1", check: "job", at: now.addingTimeInterval(3), kind: .success, method: "GET")
            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: ping.at, reportId: UUID().uuidString, observations: [
                Observation(name: "job", kind: .heartbeat, status: "ok"),
            ]), ping: ping, receivedAt: ping.at)
            #expect(try await offset().map { abs($0 - 1798) < 1 } == true)
            // The clock jumps back an hour (a VM resumed with its old time): its reports count at
            // their arrival, not as late ones.
            try await disk(80, sentAt: now.addingTimeInterval(-3600 + 4), receivedAt: now.addingTimeInterval(4))
            #expect(try await value() == 80)
            #expect(try await offset().map { abs($0 + 3600) < 1 } == true)
            let samples = try await store.samples(host: "web-1", name: "disk:/", from: now.addingTimeInterval(-7200), to: now.addingTimeInterval(60), limit: 100)
            // Each sample at its placed time: the one from the clock's future at its arrival.
            #expect(samples?.map(\.value) == [10, 40, 95, 50, 60, 70, 80])
        }
    }
}
