import Foundation
import Testing
@testable import Backend

/// Routes from the rules file: which channels get which notifications, and escalation.
@Suite struct RouteTests {
    static let channels = ["email", "telegram:-100", "telegram:42", "webhook"]

    static func message(_ kind: NotificationMessage.Kind = .problem, host: String = "db-1", check: String = "disk:/var",
                        checkKind: CheckKind = .disk, from: CheckState = .ok, to: CheckState = .alert) -> NotificationMessage {
        NotificationMessage(kind: kind, host: host, check: check, checkKind: checkKind, from: from, to: to, value: 95, unit: "%",
                            reason: "95% used", at: Date(timeIntervalSince1970: 1_800_000_000), duration: nil, link: nil)
    }

    @Test func withoutRoutesEveryChannelGetsEverything() {
        let table = RouteTable(channels: Self.channels)
        #expect(table.deliveries(for: Self.message()) == Self.channels.map { Delivery(channel: $0) })
    }

    @Test func routesFromTheRulesFileChooseChannelsByGlobsKindsAndStates() throws {
        let settings = try RulesFileTests.load("""
            [routes."databases"]
            channels = ["telegram:-*"]
            hosts = ["db-*"]
            kinds = ["disk", "host"]
            states = ["alert"]
            [routes."oncall"]
            channels = ["email"]
            checks = ["disk:*"]
            after = "10m"
            [routes."also-oncall-sooner-for-db-9"]
            channels = ["email"]
            hosts = ["db-9"]
            """)
        let table = RouteTable(channels: Self.channels, routes: settings.routes)
        #expect(table.unmatchedChannelPatterns().isEmpty)
        #expect(table.deliveries(for: Self.message()) == [Delivery(channel: "email", delay: 600), Delivery(channel: "telegram:-100")])
        // The recovery follows the alert it ends, at once; it cancels an escalation still held.
        #expect(table.deliveries(for: Self.message(.recovery, from: .alert, to: .ok))
                == [Delivery(channel: "email", cancelsHeld: true), Delivery(channel: "telegram:-100", cancelsHeld: true)])
        // No data is not an alert: only the escalation route (no states) takes it.
        #expect(table.deliveries(for: Self.message(to: .noData)) == [Delivery(channel: "email", delay: 600)])
        #expect(table.deliveries(for: Self.message(host: "web-1", check: "memory", checkKind: .memory)).isEmpty)
        // Two routes to one channel: the sooner wins.
        #expect(table.deliveries(for: Self.message(host: "db-9")).first == Delivery(channel: "email", delay: 0))
    }

    @Test func aRouteToNoConfiguredChannelIsATypo() throws {
        let settings = try RulesFileTests.load("[routes.\"x\"]\nchannels = [\"slak\"]")
        #expect(RouteTable(channels: Self.channels, routes: settings.routes).unmatchedChannelPatterns().map(\.pattern) == ["slak"])
    }

    @Test(arguments: [
        ("[routes.\"x\"]\nhosts = [\"db-*\"]", "route 'x' names no channels"),
        ("[routes.\"x\"]\nchannels = \"email\"", "must be an array of strings"),
        ("[routes.\"x\"]\nchannels = [\"email\"]\nkinds = [\"disks\"]", "'disks' is not a check kind"),
        ("[routes.\"x\"]\nchannels = [\"email\"]\nstates = [\"ok\"]", "'ok' is not a problem state"),
        ("[routes.\"x\"]\nchannels = [\"email\"]\nafter = \"later\"", "must be a duration"),
        ("[routes.\"x\"]\nchannels = [\"email\"]\nafter = \"8d\"", "at most 7d"),
        ("[routes.\"x\"]\nchannel = [\"email\"]", "is not a route setting"),
    ])
    func mistakesNameTheRouteAndKey(text: String, mention: String) throws {
        do {
            _ = try RulesFileTests.load(text)
            Issue.record("accepted: \(text)")
        } catch let error as ConfigError {
            #expect(error.message.contains(mention), "\(error.message)")
        }
    }

    @Test func globsMatchWholeNames() {
        #expect(Glob("db-*").matches("db-1"))
        #expect(!Glob("db-*").matches("web-db-1"))
        #expect(Glob("*-?").matches("web-1"))
        #expect(!Glob("*-?").matches("web-10"))
        #expect(Glob("disk:*").matches("disk:/var/lib"))
        #expect(Glob("a*b*c").matches("aXbYbZc"))
        #expect(!Glob("a*b*c").matches("aXbYbZ"))
        // Backtracking stays bounded: a hostile pattern over a long name answers at once.
        #expect(!Glob(String(repeating: "*a", count: 100) + "b").matches(String(repeating: "a", count: 200)))
    }
}
