import Foundation
import Shared
import Testing
@testable import Backend

/// Routes and groups through the domain services on each engine: the outbox rows a route
/// makes, when an escalation's row comes due, and the group a delivery records.
@Suite struct RoutingDeliveryTests {
    /// Telegram hears every disk alert at once; the webhook only of those that last 10 minutes.
    static var alerting: AlertConfig {
        var config = AlertingServiceTests.alerting
        config.settings.routes = [
            Route(name: "chat", channels: [Glob("telegram:*")]),
            Route(name: "oncall", channels: [Glob("webhook")], kinds: [.disk], after: 600),
        ]
        return config
    }

    @Test(arguments: Engine.available)
    func anEscalationWaitsAndARecoveryBeforeItsTimeCancelsIt(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -1200)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(95, at: start), receivedAt: start)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(50, at: start.addingTimeInterval(120)), receivedAt: start.addingTimeInterval(120))
            let outbox = domain.outbox
            // The chat gets the alert and the recovery together, in order.
            let chat = try await outbox.claim(channel: "telegram:42", now: start.addingTimeInterval(121), lease: 60, limit: 100, folds: true)
            #expect(chat.map(\.message.kind) == [.problem, .recovery])
            // The webhook's alert was held for 10 minutes; the recovery at 2 minutes took it back,
            // and the webhook hears neither, then or later.
            for minutes in [5.0, 11, 60] {
                #expect(try await outbox.claim(channel: "webhook", now: start.addingTimeInterval(minutes * 60), lease: 60, limit: 100, folds: false).isEmpty)
            }
            // The chat's two went out as one group, which its page lists.
            try await outbox.finish(chat.map { ($0.id, .delivered) }, group: chat[0].id, now: start.addingTimeInterval(122))
            let members = try await outbox.groupMembers(id: chat[0].id)
            #expect(members.map(\.notification.id) == chat.map(\.id))
            #expect(members.allSatisfy { $0.deliveredAt != nil })
            #expect(try await store.outboxDepth() == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aProblemThatOutlastsTheEscalationReachesItsChannelAndSoDoesItsRecovery(_ engine: Engine) async throws {
        try await TestStores.with(engine, alerting: Self.alerting) { store, domain in
            let start = Reports.now(offset: -1200)
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(95, at: start), receivedAt: start)
            let outbox = domain.outbox
            let due = try await outbox.claim(channel: "webhook", now: start.addingTimeInterval(601), lease: 60, limit: 100, folds: false)
            #expect(due.map(\.message.kind) == [.problem])
            try await outbox.finish(due.map { ($0.id, .delivered) }, now: start.addingTimeInterval(602))
            // Recovered after 11 minutes: the webhook heard of the problem, so it hears the recovery.
            _ = try await domain.ingest.ingest(AlertingServiceTests.disk(50, at: start.addingTimeInterval(660)), receivedAt: start.addingTimeInterval(660))
            let after = try await outbox.claim(channel: "webhook", now: start.addingTimeInterval(661), lease: 60, limit: 100, folds: false)
            #expect(after.map(\.message.kind) == [.recovery])
        }
    }
}
