import Foundation
import Shared
import Testing
@testable import Backend

/// Alerting behaviour, tested once through the domain services and run against each engine:
/// flips at ingest in the report's transaction, the outbox, the evaluation of deadlines,
/// silences and the flip history. No channel is reached here: the outbox is read back through
/// `OutboxService`, as the delivery worker reads it.
@Suite struct AlertingServiceTests {
    /// Two channels, so each message must become two outbox rows.
    static var alerting: AlertConfig {
        var config = AlertConfig()
        config.webhookURL = "http://127.0.0.1:9/unused"
        config.telegramBotToken = "unused"
        config.telegramChatIDs = ["42"]
        return config
    }

    static func disk(_ used: Double, host: String = "web-1", at: Date, resent: Bool? = nil) -> Report {
        Report(host: host, sentAt: at, resent: resent, observations: [Observation(name: "disk:/", kind: .disk, value: used, unit: "%")])
    }

    static func drain(_ domain: Domain, now: Date = Date().addingTimeInterval(1)) async throws -> [Backend.Notification] {
        var all: [Backend.Notification] = []
        while true {
            var items: [Backend.Notification] = []
            for channel in ["telegram:42", "webhook"] {
                items += try await domain.outbox.claim(channel: channel, now: now, lease: 60, limit: 100, folds: false)
            }
            if items.isEmpty { return all }
            try await domain.outbox.finish(items.map { ($0.id, .delivered) }, now: now)
            all += items
        }
    }

    @Test(arguments: Engine.available)
    func aThresholdFlipIsOneMessagePerChannelAndTheRecoveryTellsHowLong(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -600)
            _ = try await domain.ingest.ingest(Self.disk(90, at: start), receivedAt: start)
            _ = try await domain.ingest.ingest(Self.disk(91, at: start.addingTimeInterval(60)), receivedAt: start.addingTimeInterval(60))
            _ = try await domain.ingest.ingest(Self.disk(95, at: start.addingTimeInterval(120)), receivedAt: start.addingTimeInterval(120))
            _ = try await domain.ingest.ingest(Self.disk(84, at: start.addingTimeInterval(420)), receivedAt: start.addingTimeInterval(420))

            let items = try await Self.drain(domain)
            #expect(items.map(\.channel) == ["telegram:42", "webhook", "telegram:42", "webhook"])
            #expect(items.map(\.message.kind) == [.problem, .problem, .recovery, .recovery])
            #expect(items.first?.message.reason == "91% used, above 90%")
            #expect(abs((items.last?.message.duration ?? 0) - 360) < 0.001)
            #expect(items.allSatisfy { $0.checkKey == "web-1/disk:/" })
            let flips = try await store.flips(host: "web-1", check: nil, limit: 10)
            #expect(flips.map(\.to) == [.ok, .alert])
            #expect(try await store.outboxDepth() == 0)
        }
    }

    /// A report older than the one that holds a check's values neither changes nor judges it.
    @Test(arguments: Engine.available)
    func aLateReportDoesNotJudgeACheckANewerReportHolds(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -600)
            _ = try await domain.ingest.ingest(Self.disk(50, at: start), receivedAt: start)
            _ = try await domain.ingest.ingest(Self.disk(60, at: start.addingTimeInterval(120)), receivedAt: start.addingTimeInterval(120))
            _ = try await domain.ingest.ingest(Self.disk(97, at: start.addingTimeInterval(60), resent: true), receivedAt: start.addingTimeInterval(121))
            #expect(try await store.flips(host: "web-1", check: nil, limit: 10).isEmpty)
            #expect(try await Self.drain(domain).isEmpty)
            #expect(try await store.checks(host: "web-1", state: nil).first { $0.name == "disk:/" }?.value == 60)
        }
    }

    /// Ingest flips a check in the report's own transaction, from the report's values of that
    /// check, wherever the check stands in the report.
    @Test(arguments: Engine.available)
    func everyCheckOfAReportIsJudgedOnItsOwnValues(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -600)
            for (index, used) in [(0, 50.0), (1, 96.0)] {
                let at = start.addingTimeInterval(Double(index) * 60)
                let report = Report(host: "web-1", sentAt: at, observations: [
                    Observation(name: "memory", kind: .memory, value: 40, unit: "%"),
                    Observation(name: "disk:/srv", kind: .disk, value: 20, unit: "%"),
                    Observation(name: "disk:/", kind: .disk, value: used, unit: "%"),
                ])
                _ = try await domain.ingest.ingest(report, receivedAt: at)
            }
            let states = Dictionary(uniqueKeysWithValues: try await store.checks(host: "web-1", state: nil).map { ($0.name, $0.state) })
            #expect(states == ["memory": .ok, "disk:/srv": .ok, "disk:/": .alert, "host": .ok])
            #expect(try await Self.drain(domain).map(\.checkKey) == ["web-1/disk:/", "web-1/disk:/"])
        }
    }

    /// Checks that flip together are written together: each keeps its own flip, value, reason and
    /// messages, whether it flips on a check that exists or at its first report.
    @Test(arguments: Engine.available)
    func checksFlippingTogetherEachKeepTheirOwnFlipAndMessages(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -600)
            var observations = (0..<30).map { Observation(name: "disk:/srv/\($0)", kind: .disk, value: 50, unit: "%") }
            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: start, observations: observations), receivedAt: start)
            for index in observations.indices where index % 3 == 0 { observations[index].value = Double(91 + index % 9) }
            let later = start.addingTimeInterval(60)
            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: later, observations: observations), receivedAt: later)
            // A new host, already full at its first report.
            _ = try await domain.ingest.ingest(Self.disk(97, host: "db-1", at: later), receivedAt: later)

            let flipping: [(key: String, used: Double)] = stride(from: 0, to: 30, by: 3).map { ("web-1/disk:/srv/\($0)", Double(91 + $0 % 9)) } + [("db-1/disk:/", 97)]
            let items = try await Self.drain(domain)
            #expect(items.count == 2 * flipping.count)
            let reasons = Dictionary(grouping: items, by: \.checkKey).mapValues { $0.map(\.message.reason) }
            for (key, used) in flipping {
                #expect(reasons[key] == Array(repeating: "\(Int(used))% used, above 90%", count: 2), "\(key)")
            }
            let flips = try await store.flips(host: nil, check: nil, limit: 100)
            #expect(Set(flips.map { "\($0.host)/\($0.check)" }) == Set(flipping.map(\.key)))
            for flip in flips {
                #expect(flip.from == .ok && flip.to == .alert)
                #expect(flip.value == flipping.first { $0.key == "\(flip.host)/\(flip.check)" }?.used)
            }
            #expect(try await store.checks(host: nil, state: .alert).count == flipping.count)
        }
    }

    /// More decisions than one statement holds: a silent host with 1,200 checks.
    @Test(arguments: Engine.available)
    func aSilentHostWithMoreChecksThanOneStatementHoldsFlipsThemAll(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting, checkLimit: CheckLimit(maxPerHost: 2000)) { store, domain in
            let start = Reports.now(offset: -3600)
            for part in 0..<2 {
                let observations = (0..<600).map { Observation(name: "disk:/srv/\(part)-\($0)", kind: .disk, value: 10, unit: "%") }
                _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: start.addingTimeInterval(Double(part)), observations: observations), receivedAt: start)
            }
            let ids = try await domain.alerting.wakeTimes(now: start).map(\.id)
            #expect(ids.count == 1201)
            let down = try await domain.alerting.evaluate(ids: ids, now: start.addingTimeInterval(200))
            #expect(down.flips == 1 && down.messages == 1)
            // All its checks' no-data at once, muted while the host is down.
            let noData = try await domain.alerting.evaluate(ids: ids, now: start.addingTimeInterval(400))
            #expect(noData.flips == 1200 && noData.messages == 0)
            #expect(try await store.checks(host: "web-1", state: .noData).count == 1200)
            #expect(try await store.checks(host: "web-1", state: .alert).map(\.name) == ["host"])
            #expect(try await Self.drain(domain).map(\.message.check) == ["host", "host"])
        }
    }

    @Test(arguments: Engine.available)
    func aCheckMessagesGoOutOneAtATimeInOrder(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -600)
            _ = try await domain.ingest.ingest(Self.disk(95, at: start), receivedAt: start)
            _ = try await domain.ingest.ingest(Self.disk(50, at: start.addingTimeInterval(60)), receivedAt: start.addingTimeInterval(60))
            let now = Date()
            let first = try await domain.outbox.claim(channel: "webhook", now: now, lease: 60, limit: 100, folds: false)
            #expect(first.map(\.message.kind) == [.problem])
            // The recovery waits while the alert is claimed, and while it waits to be retried.
            #expect(try await domain.outbox.claim(channel: "webhook", now: now, lease: 60, limit: 100, folds: false).isEmpty)
            try await domain.outbox.finish([(first[0].id, .retry(at: now.addingTimeInterval(30), error: "HTTP 500"))], now: now)
            #expect(try await domain.outbox.claim(channel: "webhook", now: now, lease: 60, limit: 100, folds: false).isEmpty)
            let again = try await domain.outbox.claim(channel: "webhook", now: now.addingTimeInterval(31), lease: 60, limit: 100, folds: false)
            #expect(again.map(\.id) == [first[0].id])
            #expect(again.first?.attempts == 2)
            try await domain.outbox.finish([(first[0].id, .delivered)], now: now)
            let next = try await domain.outbox.claim(channel: "webhook", now: now.addingTimeInterval(31), lease: 60, limit: 100, folds: false)
            #expect(next.map(\.message.kind) == [.recovery])
            #expect(try await store.outboxDepth() == 3)  // the recovery claimed, and both on telegram:42
        }
    }

    @Test(arguments: Engine.available)
    func aMissedHeartbeatAlertsAtItsDeadline(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -3600)
            let ping = Report(host: "web-1", sentAt: start, observations: [Observation(name: "backup", kind: .heartbeat, status: "ok", every: 300, grace: 60)])
            _ = try await domain.ingest.ingest(ping, receivedAt: start)
            let wakes = try await domain.alerting.wakeTimes(now: start)
            #expect(wakes.count == 1)
            #expect(abs((wakes.first?.at ?? .distantPast).timeIntervalSince(start.addingTimeInterval(360))) < 0.001)
            let id = try #require(wakes.first?.id)
            // Just before: nothing. Just after: one alert.
            #expect(try await domain.alerting.evaluate(ids: [id], now: start.addingTimeInterval(359)).messages == 0)
            let late = try await domain.alerting.evaluate(ids: [id], now: start.addingTimeInterval(361))
            #expect(late.flips == 1 && late.messages == 1)
            #expect(try await domain.alerting.evaluate(ids: [id], now: start.addingTimeInterval(400)).flips == 0)
            let items = try await Self.drain(domain)
            #expect(items.first?.message.reason == "missed: nothing for 6 min, expected every 5 min")
            // The next ping clears it.
            _ = try await domain.ingest.ingest(Report(host: "web-1", sentAt: start.addingTimeInterval(500), observations: ping.observations), receivedAt: start.addingTimeInterval(500))
            #expect(try await Self.drain(domain).map(\.message.kind) == [.recovery, .recovery])
        }
    }

    @Test(arguments: Engine.available)
    func aDownHostIsOneMessageAndMutesItsChecks(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -3600)
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: start), receivedAt: start)
            _ = try await Self.drain(domain)  // the degraded array
            let ids = try await domain.alerting.wakeTimes(now: start).map(\.id)
            // Host down after 3 intervals (180 s); the others' no-data after 300 s.
            let down = try await domain.alerting.evaluate(ids: ids, now: start.addingTimeInterval(200))
            #expect(down.flips == 1 && down.messages == 1)
            let later = try await domain.alerting.evaluate(ids: ids, now: start.addingTimeInterval(400))
            #expect(later.flips >= 2 && later.messages == 0)
            let items = try await Self.drain(domain)
            #expect(items.map(\.message.check) == ["host", "host"])
            #expect(items.first?.message.reason.hasPrefix("host down") == true)
            // Back: the host recovers, and its checks were never heard of as no-data.
            _ = try await domain.ingest.ingest(Reports.sample(sentAt: start.addingTimeInterval(500)), receivedAt: start.addingTimeInterval(500))
            #expect(try await Self.drain(domain).map(\.message.check) == ["host", "host"])
        }
    }

    @Test(arguments: Engine.available)
    func aSilencedCheckFlipsQuietlyAndAPausedOneNotAtAll(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let now = Reports.now(offset: -60)
            _ = try await domain.ingest.ingest(Self.disk(50, at: now), receivedAt: now)
            #expect(try await domain.alerting.silence(host: "web-1", check: "disk:/", until: Date().addingTimeInterval(3600), now: now) == 1)
            _ = try await domain.ingest.ingest(Self.disk(95, at: now.addingTimeInterval(1)), receivedAt: now.addingTimeInterval(1))
            #expect(try await store.checks(host: "web-1", state: .alert).map(\.name) == ["disk:/"])
            #expect(try await Self.drain(domain).isEmpty)
            // Lifted: the user now hears of the alert that began during the silence.
            #expect(try await domain.alerting.silence(host: "web-1", check: "disk:/", until: nil, now: now) == 1)
            let ids = try await domain.alerting.wakeTimes(now: now.addingTimeInterval(2)).map(\.id)
            _ = try await domain.alerting.evaluate(ids: ids, now: now.addingTimeInterval(2))
            #expect(try await Self.drain(domain).map(\.message.kind) == [.problem, .problem])

            #expect(try await domain.alerting.pause(host: "web-1", check: nil, paused: true, now: now) == 2)
            _ = try await domain.ingest.ingest(Self.disk(10, at: now.addingTimeInterval(3)), receivedAt: now.addingTimeInterval(3))
            #expect(try await store.checks(host: "web-1", state: .alert).map(\.name) == ["disk:/"])
            #expect(try await domain.alerting.silence(host: "nope", check: nil, until: nil, now: now) == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aHeartbeatsFirstPingQueuesItsDeadline(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let now = Reports.now(offset: -10)
            _ = try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "job", slug: "job", every: 60, grace: 0), now: now)
            let queue = domain.alerting.deadlines
            // Waiting for its first ping: nothing to wait for.
            #expect(queue.takeDue(now: .distantFuture, limit: 100).isEmpty)
            let pinged = now.addingTimeInterval(5)
            let ping = Report(host: "web-1", sentAt: pinged, reportId: "first", observations: [Observation(name: "job", kind: .heartbeat, status: "ok")])
            _ = try await domain.ingest.ingest(ping, receivedAt: pinged)
            let due = queue.takeDue(now: pinged.addingTimeInterval(2), limit: 100)
            #expect(due.count == 1)
            // Looked at, it is queued at its real deadline.
            _ = try await domain.alerting.evaluate(ids: due, now: pinged.addingTimeInterval(2))
            #expect(abs((queue.next ?? .distantPast).timeIntervalSince(pinged.addingTimeInterval(60))) < 0.01)
        }
    }

    /// New checks are queued at their own deadlines by the ingest that created them: the host's
    /// after three report intervals, the others' no-data after five.
    @Test(arguments: Engine.available)
    func newChecksAreQueuedAtTheirDeadlines(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -10)
            let report = Report(host: "web-1", sentAt: start, observations: [
                Observation(name: "memory", kind: .memory, value: 40, unit: "%"),
                Observation(name: "disk:/", kind: .disk, value: 20, unit: "%"),
            ])
            _ = try await domain.ingest.ingest(report, receivedAt: start)
            // The deadlines as the store computes them from the rows, as the scheduler reads them.
            let wakes = try await domain.alerting.wakeTimes(now: start)
            let host = wakes.filter { abs($0.at.timeIntervalSince(start) - 180) < 0.01 }.map(\.id)
            let others = wakes.filter { abs($0.at.timeIntervalSince(start) - 300) < 0.01 }.map(\.id)
            #expect(host.count == 1 && others.count == 2)
            let queue = domain.alerting.deadlines
            #expect(queue.takeDue(now: start.addingTimeInterval(170), limit: 100).isEmpty)
            #expect(queue.takeDue(now: start.addingTimeInterval(190), limit: 100) == host)
            #expect(Set(queue.takeDue(now: start.addingTimeInterval(310), limit: 100)) == Set(others))
        }
    }

    @Test(arguments: Engine.available)
    func oldPingsAndSentMessagesExpireWithTheSamples(_ engine: Engine) async throws {
        try await TestStores.with(engine, retention: TimeSpan(seconds: 2 * 86400), alerting: Self.alerting) { store, domain in
            let old = Reports.now(offset: -5 * 86400)
            _ = try await store.maintain(domain.retention.cutoffs(now: old))  // its partitions, as they were made then
            _ = try await domain.ingest.ingest(Self.disk(95, at: old), receivedAt: old)
            #expect(try await Self.drain(domain, now: old.addingTimeInterval(1)).count == 2)
            _ = try await store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "job", slug: "job"), now: old)
            try await store.recordPing(PingRecord(host: "web-1", check: "job", at: old, kind: .success, method: "GET"))
            try await store.recordPing(PingRecord(host: "web-1", check: "job", at: Date(), kind: .success, method: "GET"))
            // A message still waiting is kept, however old.
            _ = try await domain.ingest.ingest(Self.disk(50, at: old.addingTimeInterval(60)), receivedAt: old.addingTimeInterval(60))
            _ = try await store.maintain(domain.retention.cutoffs(now: Date()))
            #expect(try await store.pings(host: "web-1", check: "job", limit: 10).count == 1)
            #expect(try await store.outboxDepth() == 2)
            #expect(try await domain.outbox.claim(channel: "webhook", now: Date(), lease: 60, limit: 10, folds: false).map(\.message.kind) == [.recovery])
        }
    }
}
