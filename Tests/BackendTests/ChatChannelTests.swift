import Foundation
import Testing
@testable import Backend

/// ntfy, Slack, Discord, Matrix and Gotify over real HTTP to a stand-in that checks each payload
/// against the service's API: accepted, escaped, and each documented error read right.
@Suite struct ChatChannelTests {
    static let check = "disk:/data&<x>*_#1"

    static func problem(id: Int64 = 7) -> NotificationGroup {
        NotificationGroup(id: id, messages: [NotificationMessage(
            kind: .problem, host: "web-1", check: check, checkKind: .disk, from: .ok, to: .alert, value: 95, unit: "%",
            reason: "95% used, above 90%", at: Date(), duration: nil, link: "https://m.example/hosts/web-1")])
    }

    /// The notifiers built from the stand-in's settings, as the backend builds them.
    static func notifiers(_ standin: ChannelStandin) throws -> [String: any Notifier] {
        try AlertConfig.fromEnvironment(standin.environment, publicURL: nil).notifiers
    }

    static func with(_ body: (ChannelStandin, [String: any Notifier]) async throws -> Void) async throws {
        let standin = try await ChannelStandin()
        defer { standin.stop() }
        try await body(standin, try notifiers(standin))
    }

    @Test func everyChannelTakesTheMessageWithTheCheckNameIntact() async throws {
        try await Self.with { standin, notifiers in
            for name in ["ntfy", "slack", "discord", "matrix", "gotify"] {
                let attempt = await notifiers[name]!.send(Self.problem())
                #expect(attempt == .delivered, "\(name): \(attempt)")
            }
            let sent = Dictionary(uniqueKeysWithValues: standin.requests().map { ($0.service, $0) })
            #expect(sent.values.allSatisfy { (200..<300).contains($0.status) }, "\(sent.values.map { "\($0.service) \($0.status)" })")
            #expect(sent["slack"]?.body["text"] as? String == "🔴 ALERT *web-1* · `disk:/data&amp;&lt;x&gt;*_#1`\n95% used, above 90%\n<https://m.example/hosts/web-1|open the check>")
            #expect(sent["discord"]?.body["content"] as? String == "🔴 ALERT **web\\-1** · `disk:/data&<x>*_#1`\n95% used, above 90%\n[open the check](https://m.example/hosts/web-1)")
            #expect((sent["discord"]?.body["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
            let matrix = try #require(sent["matrix"])
            #expect(matrix.body["msgtype"] as? String == "m.notice")
            #expect((matrix.body["body"] as? String)?.hasPrefix("🔴 ALERT web-1 · disk:/data&<x>*_#1\n") == true)
            #expect((matrix.body["formatted_body"] as? String)?.hasPrefix("🔴 ALERT <b>web-1</b> · <code>disk:/data&amp;&lt;x&gt;*_#1</code>\n") == true)
            #expect(matrix.path == "/_matrix/client/v3/rooms/%21room1%3Aexample.org/send/m.room.message/notification-7")
            let ntfy = try #require(sent["ntfy"])
            #expect(ntfy.body["topic"] as? String == "ops-alerts" && ntfy.body["priority"] as? Int == 4 && ntfy.body["markdown"] as? Bool == true)
            #expect(ntfy.body["title"] as? String == "🔴 ALERT web-1 · disk:/data&<x>*_#1")
            #expect(ntfy.body["click"] as? String == "https://m.example/hosts/web-1")
            let gotify = try #require(sent["gotify"])
            #expect(gotify.body["title"] as? String == "🔴 ALERT web-1 · disk:/data&<x>*_#1" && gotify.body["priority"] as? Int == 8)
            #expect((gotify.body["message"] as? String)?.contains("`disk:/data&<x>*_#1`") == true)
            #expect(gotify.headers["X-Gotify-Key"] == ChannelStandin.secrets["gotify"] && gotify.path == "/gotify/message")
        }
    }

    @Test func aRateLimitSaysWhenToRetryAsEachServiceDoes() async throws {
        try await Self.with { standin, notifiers in
            try standin.mode("429")
            // Slack's Retry-After header; Discord's retry_after (seconds, with a fraction) over its
            // rounded header; Matrix's retry_after_ms; ntfy says nothing, so the worker backs off.
            let expected: [String: Double?] = ["slack": 7, "discord": 1.5, "matrix": 2.5, "ntfy": nil]
            for (name, after) in expected {
                let attempt = await notifiers[name]!.send(Self.problem())
                guard case .retry(let wait, _) = attempt else { Issue.record("\(name): \(attempt)"); continue }
                #expect(wait == after, "\(name)")
            }
            try standin.mode("500")
            for name in ["ntfy", "slack", "discord", "matrix", "gotify"] {
                guard case .retry(nil, let error) = await notifiers[name]!.send(Self.problem()) else { Issue.record("\(name) 500"); continue }
                #expect(error.hasPrefix("HTTP 500"), "\(name): \(error)")
            }
        }
    }

    @Test func aGoneDestinationOrAWrongTokenIsFinalAndNamesNoSecret() async throws {
        try await Self.with { standin, notifiers in
            try standin.mode("final")
            let expected = ["slack": "HTTP 404: no_service", "discord": "HTTP 404: Unknown Webhook (code 10015)",
                            "matrix": "HTTP 403: M_FORBIDDEN: User @bot:example.org not in room", "ntfy": "HTTP 403: forbidden (code 40301)",
                            "gotify": "HTTP 403: Forbidden: you are not allowed to access this api"]
            for (name, error) in expected {
                #expect(await notifiers[name]!.send(Self.problem()) == .rejected(error), "\(name)")
            }
            try standin.mode("ok")
            var wrong = standin.environment
            for key in ["NTFY_TOKEN", "MATRIX_ACCESS_TOKEN", "GOTIFY_TOKEN"] { wrong[key] = "wrong-token-\(key)" }
            let refused = try AlertConfig.fromEnvironment(wrong, publicURL: nil).notifiers
            for name in ["ntfy", "matrix", "gotify"] {
                let attempt = await refused[name]!.send(Self.problem())
                guard case .rejected(let error) = attempt else { Issue.record("\(name): \(attempt)"); continue }
                #expect(error.hasPrefix("HTTP 401"), "\(name): \(error)")
                #expect(!error.contains("wrong-token"), "\(name): \(error)")
            }
            // Unreachable: worth a retry, and the error holds no token nor webhook path.
            var down = standin.environment
            for (key, value) in down where value.hasPrefix(standin.url) { down[key] = value.replacingOccurrences(of: standin.url, with: "http://127.0.0.1:9") }
            // In parallel: the HTTP client keeps trying to connect until its 10 s timeout.
            let attempts = await withTaskGroup(of: (String, DeliveryAttempt).self) { group in
                for (name, notifier) in try! AlertConfig.fromEnvironment(down, publicURL: nil).notifiers {
                    group.addTask { (name, await notifier.send(Self.problem())) }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(attempts.count == 5)
            for (name, attempt) in attempts {
                guard case .retry(nil, let error) = attempt else { Issue.record("\(name): \(attempt)"); continue }
                for secret in standin.secretParts { #expect(!error.contains(secret), "\(name): \(error)") }
            }
        }
    }

    @Test func aRetriedMatrixSendIsTheSameTransaction() async throws {
        try await Self.with { standin, notifiers in
            try standin.mode("500")
            _ = await notifiers["matrix"]!.send(Self.problem(id: 42))
            try standin.mode("ok")
            #expect(await notifiers["matrix"]!.send(Self.problem(id: 42)) == .delivered)
            #expect(await notifiers["matrix"]!.sendDirect("storage unreachable") == .delivered)
            let paths = standin.requests().map(\.path)
            #expect(paths.count == 3 && paths[0] == paths[1] && paths[0].hasSuffix("/notification-42") && paths[2] != paths[0])
        }
    }

    @Test func aLongGroupFitsDiscordsLimitAndStillNamesItsChecks() async throws {
        try await Self.with { standin, notifiers in
            let messages = (0..<300).map { index in
                NotificationMessage(kind: .problem, host: "host-\(index)", check: "disk:/srv/" + String(repeating: "x", count: 40), checkKind: .disk,
                                    from: .ok, to: .alert, value: 99, unit: "%", reason: String(repeating: "full ", count: 30), at: Date(), duration: nil, link: nil)
            }
            let group = NotificationGroup(id: 1, messages: messages)
            for name in ["discord", "ntfy", "slack"] {
                #expect(await notifiers[name]!.send(group) == .delivered, "\(name)")
            }
            let content = standin.requests().first { $0.service == "discord" }?.body["content"] as? String ?? ""
            #expect(content.utf16.count <= 2000 && content.contains("host\\-0") && content.contains("more"))
        }
    }

    @Test func directMessagesReachEveryChannel() async throws {
        try await Self.with { standin, notifiers in
            for name in ["ntfy", "slack", "discord", "matrix", "gotify"] {
                #expect(await notifiers[name]!.sendDirect("🔴 metrics-backend: storage unreachable <since> 08:00") == .delivered, "\(name)")
            }
            #expect(standin.requests().count == 5 && standin.requests().allSatisfy { (200..<300).contains($0.status) })
        }
    }
}
