import Foundation
import Testing
import TestSupport
@testable import Backend

/// Real client libraries from PyPI against a real backend: python-logging-loki (basic auth) and
/// loki-logger-handler (bearer, gzip JSON) from a Python logger, and healthchecks-io on the ping
/// URLs. `scripts/python-clients` makes their venv; when it cannot, the test fails.
@Suite(.serialized) struct PythonClientTests {
    typealias E = EndToEndTests

    final class LiveBackend: @unchecked Sendable {
        static let host = "py-host"
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("python-clients-\(UUID().uuidString.prefix(8))")
        let python: String
        let url: String
        let token: String
        let reader: String
        let pingKey: String
        let server: Daemon

        init() async throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            // Where the venv lives, and how pip reaches PyPI, as scripts/install-deps saw them.
            let passed = ["METRICS_TEST_CACHE", "XDG_CACHE_HOME", "PIP_INDEX_URL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]
            let pip = ProcessInfo.processInfo.environment.filter { passed.contains($0.key) }.merging(["HOME": NSHomeDirectory()]) { $1 }
            let made = try await runCommand("/bin/bash", [repository.appendingPathComponent("scripts/python-clients").path], environment: pip)
            guard made.status == 0 else { throw TestSetupError("scripts/python-clients failed: \(made.stderr)") }
            python = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let environment = ["DATA_DIR": work.appendingPathComponent("db").path, "PATH": "/usr/bin:/bin"]
            let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
            func printed(_ arguments: [String]) async throws -> String {
                let outcome = try await E.run(backend, arguments, environment: environment)
                guard outcome.status == 0 else { throw TestSetupError("metrics-backend \(arguments): \(outcome.stderr)") }
                return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            token = try await printed(["token", "create", Self.host])
            reader = try await printed(["token", "create", "--all-hosts"])
            pingKey = try await printed(["ping-key", "create", Self.host])
            let stdout = work.appendingPathComponent("backend.out").path
            server = try Daemon([backend, "serve", "--port", "0"], stdout: stdout, stderr: work.appendingPathComponent("backend.err").path, environment: environment)
            url = try await SenderBackendRig.waitFor { (try? String(contentsOfFile: stdout, encoding: .utf8))?.split(separator: "\n")
                .first { $0.hasPrefix("metrics-backend listening on ") }.map { String($0.dropFirst("metrics-backend listening on ".count)) } }
        }

        func client(_ arguments: [String]) async throws -> CommandOutcome {
            try await E.run(python, [SenderBackendRig.support.appendingPathComponent("python_clients.py").path] + arguments, environment: ["PATH": "/usr/bin:/bin"])
        }

        func get(_ path: String) async throws -> Any {
            try JSONSerialization.jsonObject(with: try await E.get(url + path, token: reader))
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: work)
        }
    }

    @Test func pythonLoggersPushThroughBothLokiClients() async throws {
        let backend = try await LiveBackend()
        defer { backend.stop() }
        let sent = try await backend.client(["loki", backend.url, backend.token])
        #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
        let page = try await backend.get("/api/v1/journal?host=\(LiveBackend.host)&limit=100") as? [String: Any]
        let entries = page?["entries"] as? [[String: Any]] ?? []
        func entry(_ text: String) -> [String: Any]? { entries.first { ($0["message"] as? String)?.contains(text) == true } }
        let invoice = try #require(entry("invoice run failed: 3 of 120 customers"))
        #expect(invoice["unit"] as? String == "billing.service")
        #expect(invoice["priority"] as? Int == 3)
        #expect((invoice["fields"] as? [String: Any])?["logger"] as? String == "billing")
        #expect(entry("retrying in 5 minutes")?["priority"] as? Int == 4)
        let stalled = try #require(entry("queue stalled"))
        #expect(stalled["containerName"] as? String == "worker")
        #expect((stalled["fields"] as? [String: Any])?["team"] as? String == "payments")
        #expect(entries.count == 3)
    }

    @Test func theHealthchecksClientDrivesThePingURLs() async throws {
        let backend = try await LiveBackend()
        defer { backend.stop() }
        let created = try await E.run("/usr/bin/curl", ["-sS", "--fail-with-body", "-H", "Authorization: Bearer \(backend.reader)", "-H", "Content-Type: application/json",
                                                        "-d", #"{"host": "py-host", "name": "nightly-backup", "every": "1d", "grace": "1h"}"#,
                                                        backend.url + "/api/v1/heartbeats"], environment: [:])
        let heartbeat = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any], "\(created.stdout)")
        let pingID = try #require(heartbeat["pingId"] as? String)
        let slug = try #require(heartbeat["slug"] as? String)
        let pinged = try await backend.client(["healthchecks", backend.url, pingID, backend.pingKey, slug])
        #expect(pinged.status == 0, "\(pinged.stdout) \(pinged.stderr)")
        // start, success, fail, exit 0: the fail and the success after it are the check's flips.
        let answer = try await backend.get("/api/v1/flips?host=py-host&check=nightly-backup") as? [String: Any]
        let flips = answer?["flips"] as? [[String: Any]] ?? []
        #expect(flips.compactMap { $0["to"] as? String }.prefix(2) == ["ok", "alert"], "\(flips)")
    }
}
