import Foundation
import Testing
@testable import Backend

/// How notifications fold into one message: fair order, and the text every channel renders.
@Suite struct GroupingTests {
    static func item(_ id: Int64, host: String, check: String = "disk:/", kind: NotificationMessage.Kind = .problem,
                     at: Double = 0, heldUntil: Double? = nil) -> Backend.Notification {
        var message = RouteTests.message(kind, host: host, check: check, from: kind == .recovery ? .alert : .ok, to: kind == .recovery ? .ok : .alert)
        message.at = Date(timeIntervalSince1970: 1_800_000_000 + at)
        return Backend.Notification(id: id, channel: "telegram:-1", host: host, checkKey: "\(host)/\(check)", message: message, attempts: 1,
                                    createdAt: message.at, heldUntil: heldUntil.map { Date(timeIntervalSince1970: 1_800_000_000 + $0) })
    }

    @Test func hostsTakeTurns() {
        // A noisy host's three, then a quiet host's one: the quiet host comes second.
        let items = [Self.item(1, host: "noisy", check: "a"), Self.item(2, host: "noisy", check: "b"),
                     Self.item(3, host: "noisy", check: "c"), Self.item(4, host: "quiet"), Self.item(5, host: "other")]
        #expect(OutboxService.fairOrder(items).map(\.id) == [1, 4, 5, 2, 3])
    }

    @Test func aStormNamesEverySmallSectionAndLinksTheRest() {
        var messages = (0..<200).map { n in
            var message = RouteTests.message(host: String(format: "rack-%03d", n), check: "host", checkKind: .host)
            message.reason = "host down: no report for 6 s"
            return message
        }
        messages.append(RouteTests.message(host: "db-1", check: "disk:/"))
        let group = NotificationGroup(id: 7, messages: messages, link: "https://m.example/notifications/7")
        let text = GroupText(group).render(.html)
        #expect(text.hasPrefix("🔔 201 notifications: 201 ALERT"))
        #expect(text.contains("<b>🔴 ALERT · host (200)</b>"))
        #expect(text.contains("• <b>db-1</b> · <code>disk:/</code> — 95% used"))
        #expect(text.contains("… and 181 more: <a href=\"https://m.example/notifications/7\">the full list</a>"))
        #expect(text.components(separatedBy: "\n• ").count - 1 == 20)
    }

    @Test func eachMarkupEscapesWhatItMust() {
        let message = RouteTests.message(host: "db&<1>", check: "disk:/data*_#1`")
        let group = NotificationGroup(id: 1, messages: [message, RouteTests.message(host: "b")], link: "https://m.example/n/1?a=b&c=d")
        let html = GroupText(group).render(.html)
        #expect(html.contains("<b>db&amp;&lt;1&gt;</b>") && !html.contains("<1>"))
        let slack = GroupText(group).render(.slack)
        #expect(slack.contains("*db&amp;&lt;1&gt;*"))
        #expect(slack.contains("<https://m.example/n/1?a=b&amp;c=d|the full list>"))
        let markdown = GroupText(group).render(.markdown)
        #expect(markdown.contains("**db&\\<1\\>**"))
        #expect(markdown.contains("`disk:/data*_#1'`"))
        #expect(GroupText(group).render(.plain).contains("the full list: https://m.example/n/1?a=b&c=d"))
    }

    @Test func aLongGroupIsCutToTheChannelsLimitAtALineEnd() {
        let messages = (0..<50).map { RouteTests.message(host: String(repeating: "h", count: 190) + "\($0)", check: String(repeating: "c", count: 190)) }
        let text = GroupText.fitting(NotificationGroup(id: 1, messages: messages, link: "https://m.example/n/1"), .html, limit: 4096)
        #expect(text.count <= 4096)
        #expect(text.contains("and ") && text.contains("more"))
    }
}
