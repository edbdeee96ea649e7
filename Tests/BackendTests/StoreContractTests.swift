import Foundation
import Shared
import Testing
@testable import Backend

/// One contract, two engines: every case runs against SQLite and PostgreSQL alike.
@Suite struct StoreContractTests {
    @Test(arguments: Engine.available)
    func migrationsAreIdempotentAndSafeConcurrently(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            async let first: Void = store.migrate()
            async let second: Void = store.migrate()
            _ = try await (first, second)
            try await store.migrate()
            #expect(try await store.hosts().isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func ingestStoresHostChecksAndSamples(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let sentAt = Reports.now(offset: -5)
            let outcome = try await domain.ingest.ingest(Reports.sample(sentAt: sentAt), receivedAt: Reports.now())
            #expect(outcome == .stored(samples: 2))

            let hosts = try await store.hosts()
            #expect(hosts.map(\.name) == ["web-1"])
            // The four observations, and the host's own check (host down).
            #expect(hosts.first?.checks == 5)
            #expect(hosts.first?.bootId == "boot-1")

            let checks = try await store.checks(host: "web-1", state: nil)
            #expect(checks.map(\.name) == ["backup-db", "disk:/", "host", "memory", "raid:md0"])
            let memory = try #require(checks.first { $0.name == "memory" })
            #expect(memory.value == 37.5)
            #expect(memory.unit == "%")
            #expect(memory.kind == .memory)
            #expect(memory.state == .ok)
            #expect(memory.details?["totalBytes"] == .number(1000))
            #expect(abs(memory.observedAt.microseconds - sentAt.microseconds) <= 1)
            let raid = try #require(checks.first { $0.name == "raid:md0" })
            #expect(raid.value == nil)
            #expect(raid.status == "degraded")
            let heartbeat = try #require(checks.first { $0.name == "backup-db" })
            #expect(heartbeat.every == 86400)
            #expect(heartbeat.grace == 3600)

            let samples = try #require(try await store.samples(host: "web-1", name: "memory", from: sentAt.addingTimeInterval(-60), to: sentAt.addingTimeInterval(60), limit: 100))
            #expect(samples.map(\.value) == [37.5])
            #expect(abs((samples.first?.at.microseconds ?? 0) - sentAt.microseconds) <= 1)
        }
    }

    @Test(arguments: Engine.available)
    func aRetriedReportIsStoredOnce(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let report = Reports.sample(sentAt: Reports.now(offset: -5))
            #expect(try await domain.ingest.ingest(report, receivedAt: Date()) == .stored(samples: 2))
            #expect(try await domain.ingest.ingest(report, receivedAt: Date()) == .duplicate)

            // The same report id is a retry even if the sender rebuilt the report.
            let first = Reports.sample(sentAt: Reports.now(offset: -3), memory: 50, reportId: "run-42")
            let rebuilt = Reports.sample(sentAt: Reports.now(offset: -2), memory: 51, reportId: "run-42")
            #expect(try await domain.ingest.ingest(first, receivedAt: Date()) == .stored(samples: 2))
            #expect(try await domain.ingest.ingest(rebuilt, receivedAt: Date()) == .duplicate)

            let samples = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 100)
            #expect(samples?.map(\.value) == [37.5, 50])
        }
    }

    @Test(arguments: Engine.available)
    func twoPingsInOneSecondAreBothStored(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let second = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            for name in ["backup", "rotate-logs"] {
                let report = Report(host: "web-1", sentAt: second, observations: [
                    Observation(name: name, kind: .heartbeat, status: "ok", every: 3600, grace: 60),
                ])
                #expect(try await domain.ingest.ingest(report, receivedAt: Date()) == .stored(samples: 0))
            }
            #expect(try await store.checks(host: "web-1", state: nil).map(\.name) == ["backup", "rotate-logs"])
        }
    }

    @Test(arguments: Engine.available)
    func aLateOlderReportAddsItsSampleButKeepsTheNewerValue(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let newer = Reports.now(offset: -10), older = Reports.now(offset: -70)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: newer, memory: 60), receivedAt: Date())
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: older, memory: 40, resent: true), receivedAt: Date())
            let memory = try await store.checks(host: "web-1", state: nil).first { $0.name == "memory" }
            #expect(memory?.value == 60)
            let samples = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 100)
            #expect(samples?.map(\.value) == [40, 60])
        }
    }

    @Test(arguments: Engine.available)
    func samplesHonourTheRangeAndTheLimit(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let start = Reports.now(offset: -600)
            for minute in 0..<5 {
                let at = start.addingTimeInterval(Double(minute) * 60)
                _ = try await domain.ingest.ingest(Reports.sample(sentAt: at, memory: Double(minute)), receivedAt: at)
            }
            let middle = try await store.samples(host: "web-1", name: "memory", from: start.addingTimeInterval(60), to: start.addingTimeInterval(180), limit: 100)
            #expect(middle?.map(\.value) == [1, 2, 3])
            let limited = try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 2)
            #expect(limited?.map(\.value) == [0, 1])
            #expect(try await store.samples(host: "web-1", name: "nope", from: .distantPast, to: .distantFuture, limit: 2) == nil)
            #expect(try await store.samples(host: "web-9", name: "memory", from: .distantPast, to: .distantFuture, limit: 2) == nil)
        }
    }

    @Test(arguments: Engine.available)
    func severalChecksOfAHostAreReadInOnePass(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let start = Reports.now(offset: -600)
            for minute in 0..<4 {
                let at = start.addingTimeInterval(Double(minute) * 60)
                _ = try await domain.ingest.ingest(Reports.sample(sentAt: at, memory: Double(minute)), receivedAt: at)
            }
            _ = try await domain.ingest.ingest(Reports.sample(host: "web-2", sentAt: start, memory: 99), receivedAt: start)
            let series = try await store.samples(host: "web-1", names: ["memory", "disk:/", "raid:md0", "nope"], from: start.addingTimeInterval(60), to: .distantFuture)
            #expect(series["memory"]?.map(\.value) == [1, 2, 3])
            #expect(series["disk:/"]?.map(\.value) == [71, 71, 71])
            #expect(series["raid:md0"] == nil)
            #expect(series["nope"] == nil)
            #expect(try await store.samples(host: "web-9", names: ["memory"], from: .distantPast, to: .distantFuture).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func checksFilterByHostAndState(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await domain.ingest.ingest(Reports.sample(host: "web-1"), receivedAt: Date())
            _ = try await domain.ingest.ingest(Reports.sample(host: "db-1"), receivedAt: Date())
            #expect(try await store.checks(host: nil, state: nil).count == 10)
            #expect(try await store.checks(host: "db-1", state: nil).allSatisfy { $0.host == "db-1" })
            // The degraded arrays alert from the report that showed them: rules run at ingest.
            #expect(try await store.checks(host: nil, state: .ok).count == 8)
            #expect(try await store.checks(host: nil, state: .alert).map(\.name) == ["raid:md0", "raid:md0"])
            #expect(try await store.hosts().map(\.name) == ["db-1", "web-1"])
        }
    }

    @Test(arguments: Engine.available)
    func deletingACheckRemovesItsSamples(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            _ = try await domain.ingest.ingest(Reports.sample(), receivedAt: Date())
            #expect(try await store.deleteCheck(host: "web-1", name: "memory"))
            #expect(try await store.deleteCheck(host: "web-1", name: "memory") == false)
            #expect(try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 10) == nil)
            #expect(try await store.checks(host: "web-1", state: nil).count == 4)
            // Reported again, it starts afresh with no history.
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: Date().addingTimeInterval(1)), receivedAt: Date())
            #expect(try await store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 10)?.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func tokensAreStoredByHashAndRevoked(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let token = TokenHash.generate()
            let created = try await store.createToken(NewToken(
                hash: TokenHash.of(token), prefix: TokenHash.prefix(of: token), host: "web-1", label: "first", createdAt: Reports.now()))
            let found = try #require(try await store.token(hash: TokenHash.of(token)))
            #expect(found.id == created.id)
            #expect(found.host == "web-1")
            #expect(found.revokedAt == nil)
            #expect(try await store.token(hash: token) == nil, "the token itself is not a key; only its hash is")
            #expect(try await store.tokens().map(\.id) == [created.id])

            #expect(try await store.revokeToken(id: created.id, at: Date()))
            #expect(try await store.revokeToken(id: created.id, at: Date()) == false)
            #expect(try await store.revokeToken(id: 999_999, at: Date()) == false)
            #expect(try await store.token(hash: TokenHash.of(token))?.revokedAt != nil)
        }
    }

    @Test(arguments: Engine.available)
    func samplesOlderThanRetentionAreNotKeptAndExpireLater(_ engine: Engine) async throws {
        try await TestStores.with(engine, retention: TimeSpan(seconds: 2 * 86400)) { (store: any Store, domain: Domain) async throws in
            // A sample beyond retention at arrival is not stored; the check still is.
            let now = Date()
            _ = try await domain.ingest.ingest(Reports.sample(host: "late", sentAt: now.addingTimeInterval(-3 * 86400), resent: true), receivedAt: now)
            #expect(try await store.samples(host: "late", name: "memory", from: .distantPast, to: .distantFuture, limit: 10) == [])
            #expect(try await store.checks(host: "late", state: nil).count == 5)

            // A sample stored 5 days ago (its partition made then) is gone after today's maintenance.
            let past = now.addingTimeInterval(-5 * 86400)
            _ = try await store.maintain(domain.retention.cutoffs(now: past))
            _ = try await domain.ingest.ingest(Reports.sample(host: "old", sentAt: past), receivedAt: past)
            #expect(try await store.samples(host: "old", name: "memory", from: .distantPast, to: .distantFuture, limit: 10)?.count == 1)
            let report = try await store.maintain(domain.retention.cutoffs(now: now))
            #expect(report.rowsDeleted > 0 || !report.partitionsDropped.isEmpty)
            #expect(try await store.samples(host: "old", name: "memory", from: .distantPast, to: .distantFuture, limit: 10) == [])

            // Today's samples survive maintenance.
            _ = try await domain.ingest.ingest(Reports.sample(host: "fresh"), receivedAt: Date())
            _ = try await store.maintain(domain.retention.cutoffs(now: Date()))
            #expect(try await store.samples(host: "fresh", name: "memory", from: .distantPast, to: .distantFuture, limit: 10)?.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func aReportOfAThousandObservationsIsOneBatch(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let observations = (0..<1000).map { Observation(name: "disk:/srv/\($0)", kind: .disk, value: Double($0 % 100), unit: "%") }
            let report = Report(host: "big", sentAt: Reports.now(), observations: observations)
            #expect(try await domain.ingest.ingest(report, receivedAt: Date()) == .stored(samples: 1000))
            #expect(try await store.checks(host: "big", state: nil).count == 1001)
        }
    }
}

/// Details are stored as JSON text written by hand; it must read back exactly.
@Suite struct DetailsJSONTests {
    /// Concurrent reports share statements on PostgreSQL (group commit): a batch may hold several
    /// reports of one host, the same check twice, and a report with its retry.
    @Test(arguments: Engine.available)
    func concurrentReportsAreEachStoredOnce(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let start = Reports.now(offset: -600)
            var reports: [Report] = []
            for minute in 0..<20 {
                for host in ["web-1", "web-2", "db-1"] {
                    reports.append(Reports.sample(host: host, sentAt: start.addingTimeInterval(Double(minute) * 10), memory: Double(minute)))
                }
            }
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                // Every report twice, at once: one of each pair is a retry.
                for report in reports + reports { group.addTask { try await domain.ingest.ingest(report, receivedAt: report.sentAt) } }
                var all: [IngestOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == .duplicate }.count == reports.count)
            #expect(outcomes.filter { $0 == .stored(samples: 2) }.count == reports.count)
            for host in ["web-1", "web-2", "db-1"] {
                let samples = try await store.samples(host: host, name: "memory", from: .distantPast, to: .distantFuture, limit: 100)
                #expect(samples?.map(\.value) == (0..<20).map(Double.init))
                // The newest report's value wins, whatever order the batch held them in.
                #expect(try await store.checks(host: host, state: nil).first { $0.name == "memory" }?.value == 19)
            }
        }
    }

    @Test func detailsRoundTripThroughTheirStoredText() throws {
        let details: [String: JSONValue] = [
            "mountPoint": "/srv/a \"b\"\\c\n\t\u{1}é✓", "size": 270553174016, "ratio": 0.125, "negative": -3,
            "flag": true, "none": nil, "members": .array([.object(["name": "sda1", "slot": 0]), "x"]),
        ]
        let text = DetailsJSON.encode(details)
        #expect(JSONValue.decodeObject(text) == details)
        #expect(text.hasPrefix(#"{"flag":true,"members":[{"name":"sda1","slot":0},"x"],"mountPoint":"#))
    }
}
