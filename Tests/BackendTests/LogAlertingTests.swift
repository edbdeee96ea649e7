import Foundation
import Shared
import Testing
@testable import Backend

/// Log rules through the domain services, on each engine, with the time injected: a matching
/// entry alerts with its line and a link to the journal around it, the check clears after the
/// quiet period or at once on a recovery line, and it never makes a host look down.
@Suite struct LogAlertingTests {
    static var alerting: AlertConfig {
        var config = AlertingServiceTests.alerting
        config.settings.publicURL = "https://metrics.example.com"
        config.settings.logRules = [
            LogRule(name: "oom", match: .contains("Out of memory: Killed process")),
            LogRule(name: "nginx-failed", units: [Glob("nginx.service")], match: .contains("Failed with result"),
                    recovered: .contains("Started nginx"), quiet: 300),
        ]
        return config
    }

    /// `body` gets the journal service over a store and a journal of `engine`, in one database of its own.
    static func with(_ engine: Engine, checkLimit: CheckLimit = .standard,
                     _ body: @escaping @Sendable (any Store, Domain, JournalService) async throws -> Void) async throws {
        var (config, cleanup) = try await TestStores.config(engine)
        config.alerting = alerting
        config.checkLimit = checkLimit
        let final = config
        do {
            try await withStores(final, logger: TestStores.logger) { opened in
                try await opened.migrate()
                let domain = Domain(store: opened.store, config: final, logger: TestStores.logger)
                try await body(opened.store, domain, JournalService(journal: opened.journal, ingest: domain.ingest, checks: opened.store, rules: final.alerting.settings.logRules))
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    @Test(arguments: Engine.available)
    func aMatchingLineAlertsWithItsLineAndClearsAfterTheQuietPeriod(_ engine: Engine) async throws {
        try await Self.with(engine) { store, domain, journal in
            let now = Date()
            let line = "Out of memory: Killed process 4242 (postgres) total-vm:8123456kB"
            let stored = try await journal.store(LogRuleTests.rows([(5, "starting"), (2, line)], host: "db-1", now: now), now: now)
            #expect(stored == 2)
            let checks = try await store.checks(host: "db-1", state: nil)
            // The rule's check, and no host check: a log line is not a report, so the host cannot go "down".
            #expect(checks.map(\.name) == ["log:oom"])
            #expect(checks.first?.kind == .journal && checks.first?.state == .alert)
            let problems = try await AlertingServiceTests.drain(domain)
            #expect(problems.count == 2 && problems.allSatisfy { $0.message.kind == .problem })
            let message = try #require(problems.first?.message)
            #expect(message.reason == "matched: \(line)")
            let at = Int(now.addingTimeInterval(-2).timeIntervalSince1970)
            #expect(message.link == "https://metrics.example.com/journal?host=db-1&from=\(at - 300)&to=\(at + 300)")

            // Another match later extends the alert without a second message.
            let later = now.addingTimeInterval(600)
            _ = try await journal.store(JournalFixtures.rows([JournalFixtures.row(9, host: "db-1", at: later.microseconds, message: line)]), now: later)
            #expect(try await AlertingServiceTests.drain(domain, now: later.addingTimeInterval(1)).isEmpty)
            let id = try #require(try await domain.alerting.wakeTimes(now: later).first?.id)
            // Quiet for 15 min after the last match: recovered, once.
            let early = try await domain.alerting.evaluate(ids: [id], now: later.addingTimeInterval(899))
            #expect(early.flips == 0)
            let quiet = try await domain.alerting.evaluate(ids: [id], now: later.addingTimeInterval(901))
            #expect(quiet.flips == 1 && quiet.messages == 1)
            let recoveries = try await AlertingServiceTests.drain(domain, now: later.addingTimeInterval(902))
            #expect(recoveries.map(\.message.kind) == [.recovery, .recovery])
            #expect(recoveries.first?.message.reason.hasPrefix("no match for 15 min") == true)
            #expect(try await store.checks(host: "db-1", state: .ok).map(\.name) == ["log:oom"])
        }
    }

    @Test(arguments: Engine.available)
    func aRecoveryLineClearsAtOnceAndAResentBatchStoresNothingTwice(_ engine: Engine) async throws {
        try await Self.with(engine) { store, domain, journal in
            let now = Date()
            let failed = LogRuleTests.rows([(3, "nginx.service: Failed with result 'exit-code'.")], now: now)
            #expect(try await journal.store(failed, now: now) == 1)
            #expect(try await store.checks(host: "web-1", state: .alert).map(\.name) == ["log:nginx-failed"])
            // The sender resends after a lost answer: nothing stored twice, still one alert.
            #expect(try await journal.store(failed, now: now.addingTimeInterval(1)) == 0)
            #expect(try await AlertingServiceTests.drain(domain, now: now.addingTimeInterval(2)).count == 2)
            var started = JournalFixtures.row(7, at: now.addingTimeInterval(5).microseconds, message: "Started nginx - high performance web server.")
            started.priority = 6
            _ = try await journal.store(JournalFixtures.rows([started]), now: now.addingTimeInterval(5))
            #expect(try await store.checks(host: "web-1", state: .ok).map(\.name) == ["log:nginx-failed"])
            let recoveries = try await AlertingServiceTests.drain(domain, now: now.addingTimeInterval(6))
            #expect(recoveries.map(\.message.kind) == [.recovery, .recovery])
            #expect(recoveries.first?.message.reason == "recovered: Started nginx - high performance web server.")
        }
    }

    /// A problem line retried late, after a newer recovery line, changes nothing: each report is
    /// dated at its line. A recovery line of a check that is not alerting raises no check at all.
    @Test(arguments: Engine.available)
    func anOlderLineArrivingLateNeverUndoesANewerOne(_ engine: Engine) async throws {
        try await Self.with(engine) { store, domain, journal in
            let now = Date()
            var started = JournalFixtures.row(2, at: now.addingTimeInterval(-5).microseconds, message: "Started nginx - web server.")
            started.priority = 6
            _ = try await journal.store(JournalFixtures.rows([started]), now: now)
            #expect(try await store.checks(host: "web-1", state: nil).isEmpty)
            _ = try await journal.store(LogRuleTests.rows([(10, "nginx.service: Failed with result 'exit-code'.")], now: now), now: now)
            _ = try await journal.store(JournalFixtures.rows([started]), now: now.addingTimeInterval(1))
            #expect(try await store.checks(host: "web-1", state: .ok).map(\.name) == ["log:nginx-failed"])
            // The failure again, as a retried batch brings it: older than the recovery, so ok stays.
            _ = try await journal.store(LogRuleTests.rows([(10, "nginx.service: Failed with result 'exit-code'.")], now: now), now: now.addingTimeInterval(2))
            #expect(try await store.checks(host: "web-1", state: .ok).map(\.name) == ["log:nginx-failed"])
        }
    }

    /// A rule's check the store refuses (the host is at its check limit) is logged, and the
    /// entries are stored and acknowledged all the same, so the sender does not resend them forever.
    @Test(arguments: Engine.available)
    func aRefusedCheckDoesNotRefuseTheEntries(_ engine: Engine) async throws {
        try await Self.with(engine, checkLimit: CheckLimit(maxPerHost: 1)) { store, domain, journal in
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(50, host: "db-1", at: Date()), receivedAt: Date())
            let stored = try await journal.store(LogRuleTests.rows([(2, "Out of memory: Killed process 1")], host: "db-1"))
            #expect(stored == 1)
            #expect(try await store.checks(host: "db-1", state: nil).map(\.name).sorted() == ["disk:/", "host"])
        }
    }

    /// A rule with `tags` matches only the lines of hosts that carry one of them.
    @Test(arguments: Engine.available)
    func tagsChooseTheHostsARuleWatches(_ engine: Engine) async throws {
        try await Self.with(engine) { store, domain, service in
            let now = Date()
            let rule = LogRule(name: "db-oom", tags: ["db"], match: .contains("Out of memory"))
            let tagged = JournalService(journal: service.journal, ingest: domain.ingest, checks: store, rules: [rule])
            for (host, tags) in [("db-1", ["eu", "db"]), ("web-1", ["eu"])] {
                _ = try await domain.ingest.ingest(Report(host: host, sentAt: now, tags: tags, observations: [
                    Observation(name: "memory", kind: .memory, value: 40, unit: "%"),
                ]), receivedAt: now)
                _ = try await tagged.store(LogRuleTests.rows([(2, "Out of memory: Killed process 1")], host: host, now: now), now: now)
            }
            // A host no report has named yet has no tags: the rule does not watch it.
            _ = try await tagged.store(LogRuleTests.rows([(2, "Out of memory: Killed process 2")], host: "new-1", now: now), now: now)
            #expect(try await store.checks(host: "db-1", state: .alert).map(\.name) == ["log:db-oom"])
            #expect(try await store.checks(host: "web-1", state: nil).map(\.name).sorted() == ["host", "memory"])
            #expect(try await store.checks(host: "new-1", state: nil).isEmpty)
        }
        #expect(throws: ConfigError.self) { try RulesFileTests.load("[logs.\"x\"]\ncontains = \"a\"\ntags = [\"d b\"]\n") }
    }
}
