import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
@testable import Backend

/// "Send a test message": `metrics-backend notify test CHANNEL` and the Channels page's button,
/// both sending to the channel stand-in.
@Suite struct ChannelTestingTests {
    typealias E = EndToEndTests
    typealias P = PagesHTTPTests

    @Test func notifyTestSaysSentOrWhyAndListsChannels() async throws {
        let standin = try await ChannelStandin()
        defer { standin.stop() }
        let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
        let sent = try await E.run(backend, ["notify", "test", "slack"], environment: standin.environment)
        #expect(sent.status == 0 && sent.stdout == "sent\n", "\(sent.stderr)")
        let text = standin.requests().first { $0.service == "slack" }?.body["text"] as? String ?? ""
        #expect(text.contains("*metrics-backend*") && text.contains("A test message"), "\(text)")

        let unknown = try await E.run(backend, ["notify", "test", "telegram:1"], environment: standin.environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "metrics-backend: no channel named telegram:1; configured: discord, gotify, matrix, ntfy, slack\n")
        let none = try await E.run(backend, ["notify", "test", "email"], environment: [:])
        #expect(none.status == 1 && none.stderr.contains("none is configured"))

        try standin.mode("final")
        let refused = try await E.run(backend, ["notify", "test", "discord"], environment: standin.environment)
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr == "metrics-backend: discord: HTTP 404: Unknown Webhook (code 10015)\n")

        let list = try await E.run(backend, ["notify", "list"], environment: standin.environment)
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: "\t")[0] } == ["discord", "gotify", "matrix", "ntfy", "slack"])
        for secret in standin.secretParts { #expect(!(list.stdout + refused.stderr).contains(secret)) }
    }

    @Test func theChannelsPageListsChannelsAndSendsATestMessage() async throws {
        let standin = try await ChannelStandin()
        defer { standin.stop() }
        let environment = standin.environment
        try await P.withPages({ $0.alerting = try! AlertConfig.fromEnvironment(environment, publicURL: nil) }) { h in
            try await h.app.test(.router) { client in
                let b = try #require(try await P.login(client).browser)
                let page = String(buffer: try await client.execute(uri: "/channels", method: .get, headers: b.headers).body)
                for name in ["discord", "gotify", "matrix", "ntfy", "slack"] {
                    #expect(page.contains("<td><code>\(name)</code></td>"), "\(name)")
                    #expect(page.contains("name=\"channel\" value=\"\(name)\""), "\(name)")
                }
                #expect(page.contains("one message every 5 s at most; notifications in between fold into one"))
                for secret in standin.secretParts { #expect(!page.contains(secret), "\(secret)") }

                let test = try await client.execute(uri: "/channels/test", method: .post, headers: b.form,
                                                    body: ByteBuffer(string: "_csrf=\(b.csrf)&channel=matrix"))
                #expect(test.status == .seeOther && test.headers[.location] == "/channels")
                #expect(P.cookies(test)[WebPages.flashCookie]?.removingPercentEncoding == "Sent a test message to matrix.")
                #expect(standin.requests().filter { $0.service == "matrix" && $0.status == 200 }.count == 1)

                try standin.mode("final")
                let failed = try await client.execute(uri: "/channels/test", method: .post, headers: b.form,
                                                      body: ByteBuffer(string: "_csrf=\(b.csrf)&channel=gotify"))
                #expect(P.cookies(failed)[WebPages.flashCookie]?.removingPercentEncoding
                        == "The test message to gotify failed: HTTP 403: Forbidden: you are not allowed to access this api")
                let unknown = try await client.execute(uri: "/channels/test", method: .post, headers: b.form,
                                                       body: ByteBuffer(string: "_csrf=\(b.csrf)&channel=nope"))
                #expect(unknown.status == .notFound)
            }
        }
    }
}
