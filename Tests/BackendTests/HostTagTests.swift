import Foundation
import HummingbirdTesting
import Shared
import Testing
@testable import Backend

/// Host tags on both engines: stored as the newest report that tells them gave them, and used by
/// the dashboard's filter, by `[tags."TAG"]` rules and by routes' `tags`.
@Suite struct HostTagTests {
    static func report(_ host: String, tags: [String]?, disk: Double = 50, at: Date, resent: Bool? = nil) -> Report {
        Report(host: host, sentAt: at, resent: resent, tags: tags, observations: [Observation(name: "disk:/", kind: .disk, value: disk, unit: "%")])
    }

    static func tags(_ store: any Store, _ host: String) async throws -> [String]? {
        try await store.hosts().first { $0.name == host }?.tags
    }

    @Test(arguments: Engine.available)
    func tagsFollowTheNewestReportThatTellsThem(_ engine: Engine) async throws {
        try await TestStores.with(engine) { store, domain in
            let start = Reports.now(offset: -600)
            func ingest(_ report: Report) async throws { _ = try await domain.ingest.ingest(report, receivedAt: report.sentAt) }
            try await ingest(Self.report("db-1", tags: ["db", "eu"], at: start))
            try await ingest(Self.report("web-1", tags: ["web"], at: start))
            #expect(try await Self.tags(store, "db-1") == ["db", "eu"])
            // A report that does not tell (a ping, the original sender) leaves them.
            try await ingest(Self.report("db-1", tags: nil, at: start.addingTimeInterval(60)))
            #expect(try await Self.tags(store, "db-1") == ["db", "eu"])
            try await ingest(Self.report("db-1", tags: ["db"], at: start.addingTimeInterval(120)))
            #expect(try await Self.tags(store, "db-1") == ["db"])
            // A report kept and sent late tells old tags.
            try await ingest(Self.report("db-1", tags: ["old"], at: start.addingTimeInterval(30), resent: true))
            #expect(try await Self.tags(store, "db-1") == ["db"])
            // The dashboard's filter.
            #expect(try await store.checkCounts(host: nil, tag: "db").keys.sorted() == ["db-1"])
            #expect(try await store.checkCounts(host: nil, tag: "d").isEmpty)
            let page = try await store.checksPage(host: nil, tag: "web", state: nil, offset: 0, limit: 10)
            #expect(Set(page.map(\.host)) == ["web-1"] && page.count == 2)
            // An empty list clears them.
            try await ingest(Self.report("db-1", tags: [], at: start.addingTimeInterval(180)))
            #expect(try await Self.tags(store, "db-1") == [])
            #expect(try await store.checkCounts(host: nil, tag: "db").isEmpty)
        }
    }

    /// Which report tells the tags goes by the time of the reports that tell them: one without
    /// them (a ping, dated by the backend) neither clears them nor holds back a later change.
    @Test(arguments: Engine.available)
    func theNewestReportThatTellsThemWinsWhateverComesBetween(_ engine: Engine) async throws {
        try await TestStores.with(engine) { store, domain in
            let start = Reports.now(offset: -30)
            func pending(_ report: Report) -> PendingReport { (ReportRows(report, ping: nil, receivedAt: report.sentAt), report.sentAt) }
            // One batch: a report with tags, then a later one without.
            _ = try await store.ingest([
                pending(Self.report("db-1", tags: ["db"], at: start)),
                pending(Self.report("db-1", tags: nil, at: start.addingTimeInterval(1))),
            ]) { _, _ in }
            #expect(try await Self.tags(store, "db-1") == ["db"])
            // A report without tags dated later, then a sender's report dated between: its tags count.
            _ = try await domain.ingest.ingest(Self.report("db-1", tags: nil, at: start.addingTimeInterval(20)), receivedAt: start.addingTimeInterval(20))
            _ = try await domain.ingest.ingest(Self.report("db-1", tags: ["db", "eu"], at: start.addingTimeInterval(10)), receivedAt: start.addingTimeInterval(21))
            #expect(try await Self.tags(store, "db-1") == ["db", "eu"])
            // An older report's tags do not undo them.
            _ = try await domain.ingest.ingest(Self.report("db-1", tags: ["old"], at: start.addingTimeInterval(5)), receivedAt: start.addingTimeInterval(22))
            #expect(try await Self.tags(store, "db-1") == ["db", "eu"])
        }
    }

    /// Hosts tagged `db` alert on disks above 80 %, others above 90 %; only the db hosts' messages reach the webhook.
    static func alerting() throws -> AlertConfig {
        var config = AlertingServiceTests.alerting
        config.settings = try RulesFileTests.load("""
            [tags."db"]
            disk_alert_above = 80
            [routes."dba"]
            channels = ["webhook"]
            tags = ["db"]
            [routes."chat"]
            channels = ["telegram:*"]
            """)
        return config
    }

    @Test(arguments: Engine.available)
    func rulesAndRoutesPickHostsByTag(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: try Self.alerting()) { store, domain in
            let start = Reports.now(offset: -600)
            func ingest(_ report: Report) async throws { _ = try await domain.ingest.ingest(report, receivedAt: report.sentAt) }
            try await ingest(Self.report("db-1", tags: ["db"], disk: 50, at: start))
            try await ingest(Self.report("web-1", tags: ["web"], disk: 85, at: start))
            try await ingest(Self.report("web-2", tags: ["web"], disk: 95, at: start))
            // 85 % is over the db hosts' threshold only. This report does not tell its tags, so
            // the rule must come from the stored ones.
            try await ingest(Self.report("db-1", tags: nil, disk: 85, at: start.addingTimeInterval(60)))
            let now = start.addingTimeInterval(61)
            let webhook = try await domain.outbox.claim(channel: "webhook", now: now, lease: 60, limit: 100, folds: false)
            let chat = try await domain.outbox.claim(channel: "telegram:42", now: now, lease: 60, limit: 100, folds: false)
            #expect(webhook.map { "\($0.message.host) \($0.message.kind)" } == ["db-1 problem"])
            #expect(webhook.first?.message.tags == ["db"])
            #expect(chat.map(\.message.host).sorted() == ["db-1", "web-2"])
            #expect(try await store.checks(host: "web-1", state: .alert).isEmpty)
        }
    }

    @Test func rulesFileReadsTagTablesInOrderAndRefusesBadTags() throws {
        let settings = try RulesFileTests.load("""
            [defaults]
            disk_alert_above = 90
            [tags."db"]
            disk_alert_above = 80
            memory_alert_at = 70
            [tags."eu"]
            disk_alert_above = 85
            [hosts."db-1"]
            memory_alert_at = 75
            """)
        let check = RulesFileTests.check("db-1", "disk:/")
        #expect(settings.rules(for: check, tags: []).diskAlertAbove == 90)
        #expect(settings.rules(for: check, tags: ["db"]).diskAlertAbove == 80)
        // Of two tags, the later table wins; the host's own table wins over both.
        #expect(settings.rules(for: check, tags: ["eu", "db"]).diskAlertAbove == 85)
        #expect(settings.rules(for: check, tags: ["db"]).memoryAlertAt == 75)
        #expect(settings.rules(for: RulesFileTests.check("db-2", "disk:/"), tags: ["db"]).memoryAlertAt == 70)
        for bad in ["[tags.\"a b\"]\ndisk_alert_above = 80\n", "[routes.\"r\"]\nchannels = [\"webhook\"]\ntags = [\"db,eu\"]\n"] {
            #expect(throws: ConfigError.self) { try RulesFileTests.load(bad) }
        }
    }

    @Test func theDashboardFiltersByTag() async throws {
        try await PagesHTTPTests.withPages { h in
            let now = Date()
            _ = try await h.domain.ingest.ingest(Report(host: "db-2", sentAt: now, tags: ["db"], observations: [
                Observation(name: "memory", kind: .memory, value: 30, unit: "%"),
            ]), receivedAt: now)
            try await h.app.test(.router) { client in
                guard let b = try await PagesHTTPTests.login(client).browser else { Issue.record("no session"); return }
                let all = String(buffer: try await client.execute(uri: "/dashboard", method: .get, headers: b.headers).body)
                #expect(all.contains("<option value=\"db\">db</option>") && all.contains("href=\"/dashboard?tag=db\""))
                let page = String(buffer: try await client.execute(uri: "/dashboard?tag=db", method: .get, headers: b.headers).body)
                #expect(page.contains("data-host=\"db-2\"") && !page.contains("data-host=\"web-1\"") && !page.contains("data-host=\"db-1\""))
                #expect(page.contains("<option value=\"db\" selected>db</option>"))
                let host = String(buffer: try await client.execute(uri: "/hosts/db-2", method: .get, headers: b.headers).body)
                #expect(host.contains("class=\"badge tag\" href=\"/dashboard?tag=db\""))
                #expect(try await client.execute(uri: "/dashboard?tag=a%20b", method: .get, headers: b.headers).status == .badRequest)
            }
        }
    }
}
