import Foundation
import Shared
import Testing
@testable import Backend

/// The real backend, its outbox and delivery worker, with every stand-in channel configured: an
/// alert and its recovery reach each one, in order.
@Suite struct ChannelEndToEndTests {
    @Test func anAlertAndItsRecoveryReachEveryChannel() async throws {
        let standin = try await ChannelStandin()
        defer { standin.stop() }
        let rig = try await AlertRig(settings: standin.environment.merging(["PUBLIC_URL": "https://m.example"]) { $1 })
        do {
            try await rig.startBackend()
            let mount = "/data&<x>*_#1"
            try await rig.report([rig.disk(95, mount: mount)])
            let services = ["ntfy", "slack", "discord", "matrix", "gotify"]
            #expect(try await rig.wait { Set(standin.requests().map(\.service)) == Set(services) })
            try await rig.report([rig.disk(50, mount: mount)])
            // Time enough for a worker that keeps ntfy's and Matrix's 5 s between messages.
            #expect(try await rig.wait(30) { standin.requests().count >= 10 })
            let requests = standin.requests()
            for service in services {
                let sent = requests.filter { $0.service == service }
                #expect(sent.count == 2 && sent.allSatisfy { (200..<300).contains($0.status) }, "\(service): \(sent.map(\.status))")
                let texts = sent.map { ($0.body["text"] ?? $0.body["content"] ?? $0.body["message"] ?? $0.body["body"]) as? String ?? "" }
                #expect(texts.first?.hasPrefix("🔴 ALERT") == true && texts.last?.hasPrefix("✅ OK") == true, "\(service): \(texts)")
            }
            #expect((requests.first { $0.service == "ntfy" }?.body["click"] as? String)?.hasPrefix("https://m.example/hosts/web-1") == true)
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }
}
