import Foundation
import TestSupport
import Testing
@testable import Backend

/// The Alertmanager channel against a real Alertmanager (Debian's prometheus-alertmanager) on a
/// free port: a problem becomes an active alert, its recovery resolves it.
@Suite struct AlertmanagerChannelTests {
    final class Alertmanager: @unchecked Sendable {
        let directory: URL
        let daemon: Daemon
        let url: String

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("am-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // A route to a receiver that sends nothing: the test reads the alerts back over the API.
            try "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n".write(to: directory.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)
            let free = try await runCommand("/usr/bin/python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            let port = free.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            url = "http://127.0.0.1:\(port)"
            daemon = try Daemon(["/usr/bin/prometheus-alertmanager", "--config.file=\(directory.appendingPathComponent("alertmanager.yml").path)",
                                 "--storage.path=\(directory.appendingPathComponent("data").path)", "--web.listen-address=127.0.0.1:\(port)",
                                 "--cluster.listen-address="],
                                stderr: directory.appendingPathComponent("alertmanager.err").path)
            let url = self.url
            for _ in 0..<200 {
                if await NotifierHTTP.get(url + "/-/ready") == nil { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestSetupError("Alertmanager did not start: \((try? String(contentsOf: directory.appendingPathComponent("alertmanager.err"), encoding: .utf8)) ?? "")")
        }

        /// The alerts Alertmanager holds (GET /api/v2/alerts lists those not yet resolved).
        func alerts() async throws -> [[String: Any]] {
            let outcome = try await runCommand("/usr/bin/curl", ["-sS", "--fail", url + "/api/v2/alerts"])
            return (try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]]) ?? []
        }

        func stop() {
            daemon.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aProblemIsAnActiveAlertAndItsRecoveryResolvesIt() async throws {
        let am = try await Alertmanager()
        defer { am.stop() }
        let notifier = try #require(try AlertConfig.fromEnvironment(["ALERTMANAGER_URL": am.url], publicURL: nil).notifiers["alertmanager"])
        #expect(notifier.budget == ChannelBudget(spacing: 0, folds: true))
        let problem = ChatChannelTests.problem()
        let other = NotificationMessage(kind: .problem, host: "db-1", check: "backup", checkKind: .heartbeat, from: .ok, to: .noData,
                                        value: nil, unit: nil, reason: "no ping for 2h", at: Date(), duration: nil, link: nil)
        #expect(await notifier.send(NotificationGroup(id: 1, messages: problem.messages + [other])) == .delivered)
        var alerts: [[String: Any]] = []
        for _ in 0..<100 {
            alerts = try await am.alerts()
            if alerts.count == 2, alerts.allSatisfy({ ($0["status"] as? [String: Any])?["state"] as? String == "active" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let disk = try #require(alerts.first { ($0["labels"] as? [String: String])?["host"] == "web-1" })
        #expect(disk["labels"] as? [String: String] == ["alertname": "MetricsCheck", "host": "web-1", "check": "disk:/data&<x>*_#1",
                                                      "kind": "disk", "severity": "critical"])
        #expect((disk["annotations"] as? [String: String])?["description"] == "95% used, above 90%")
        #expect((disk["annotations"] as? [String: String])?["summary"] == "🔴 ALERT web-1 · disk:/data&<x>*_#1")
        #expect(disk["generatorURL"] as? String == "https://m.example/hosts/web-1")
        #expect((disk["status"] as? [String: Any])?["state"] as? String == "active")
        #expect((alerts.first { ($0["labels"] as? [String: String])?["host"] == "db-1" }?["labels"] as? [String: String])?["severity"] == "warning")

        var recovery = problem.messages[0]
        (recovery.kind, recovery.from, recovery.to, recovery.at, recovery.duration) = (.recovery, .alert, .ok, Date(), 60)
        #expect(await notifier.send(NotificationGroup(id: 2, messages: [recovery])) == .delivered)
        var resolved = false
        for _ in 0..<100 {
            alerts = try await am.alerts()
            // Resolved alerts leave the list; only db-1's stays.
            if alerts.count == 1, (alerts[0]["labels"] as? [String: String])?["host"] == "db-1" { resolved = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(resolved, "\(alerts)")
    }

    @Test func aDownAlertmanagerIsRetriedAndARefusedAlertIsFinal() async throws {
        let down = AlertmanagerNotifier(url: "http://127.0.0.1:9")
        guard case .retry(nil, _) = await down.send(ChatChannelTests.problem()) else { Issue.record("down not retried"); return }
        let am = try await Alertmanager()
        defer { am.stop() }
        // A generatorURL Alertmanager refuses: its 422 is final, as any 4xx but 408 and 429.
        var message = ChatChannelTests.problem().messages[0]
        message.link = "not a URL at all"
        let attempt = await AlertmanagerNotifier(url: am.url).send(NotificationGroup(id: 3, messages: [message]))
        guard case .rejected(let error) = attempt else { Issue.record("\(attempt)"); return }
        #expect(error.hasPrefix("HTTP 422"), "\(error)")
    }
}
