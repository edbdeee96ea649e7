import Foundation
import HummingbirdTesting
import Shared
import Testing
@testable import Backend

/// The list a message's "and N more" links to, as a page and through the API.
@Suite struct NotificationGroupPageTests {
    /// Three notifications to one channel, delivered as one group named by the first's id.
    static func deliverGroup(_ h: IngestHTTPTests.Harness) async throws -> Int64 {
        let decisions = ["rack-1", "rack-2", "db-<1>"].map { host in
            let check = RulesTests.check(.host, value: nil)
            var message = RouteTests.message(host: host, check: "host", checkKind: .host)
            message.at = Date().addingTimeInterval(-5)
            return AlertDecision(candidate: AlertCandidate(id: -1, check: check, notifiedState: .ok, flappingSince: nil, notifiedAt: nil, hostDown: false),
                                 state: .alert, since: message.at, notifiedState: .alert, message: message,
                                 deliveries: [Delivery(channel: "telegram:-1")])
        }
        try await h.store.withAlertTransaction { tx in try await tx.write(decisions) }
        let claimed = try await h.domain.outbox.claim(channel: "telegram:-1", now: Date(), lease: 60, limit: 100, folds: true)
        #expect(claimed.count == 3)
        let id = try #require(claimed.map(\.id).min())
        try await h.domain.outbox.finish(claimed.map { ($0.id, .delivered) }, group: id, now: Date())
        return id
    }

    @Test func thePageAndTheAPIListEveryNotificationOfAGroup() async throws {
        try await PagesHTTPTests.withPages { h in
            let id = try await Self.deliverGroup(h)
            try await h.app.test(.router) { client in
                let b = try #require(try await PagesHTTPTests.login(client).browser)
                try await client.execute(uri: "/notifications/\(id)", method: .get, headers: b.headers) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    for needle in ["rack-1", "rack-2", "db-&lt;1&gt;", "telegram:-1", "3 notifications"] {
                        #expect(text.contains(needle), "the page lacks \(needle)")
                    }
                }
                try await client.execute(uri: "/notifications/\(id + 100)", method: .get, headers: b.headers) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/notifications/\(id)", method: .get, headers: [.authorization: "Bearer \(h.allToken)"]) { response in
                    #expect(response.status == .ok)
                    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let hosts = (object?["notifications"] as? [[String: Any]] ?? []).compactMap { ($0["message"] as? [String: Any])?["host"] as? String }
                    #expect(hosts == ["rack-1", "rack-2", "db-<1>"])
                }
                try await client.execute(uri: "/api/v1/notifications/abc", method: .get, headers: [.authorization: "Bearer \(h.allToken)"]) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("\"field\":\"id\""))
                }
            }
        }
    }
}
