import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// A real backend with a token for one host, the proxy in front of it that records requests and
/// injects faults, and (when asked for) a real journal for the sender to read.
final class SenderBackendRig: @unchecked Sendable {
    typealias E = EndToEndTests
    static var support: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support")
    }

    static let host = "bench-host"
    let work: URL
    let journal: URL
    let proxyDirectory: URL
    private(set) var backendServer: Daemon
    private let backendEnvironment: [String: String]
    let proxy: Daemon
    let backendURL: String
    let proxyURL: String
    let token: String
    let reader: String
    private let cleanup: @Sendable () async -> Void

    /// `bigMessage`: the middle entry's message has this many bytes; `backend`: more of its environment.
    init(engine: Engine = .sqlite, entries: Int = 0, bigMessage: Int = 0, plan: String, backend extra: [String: String] = [:]) async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("journal-e2e-\(UUID().uuidString.prefix(8))")
        journal = work.appendingPathComponent("journal")
        proxyDirectory = work.appendingPathComponent("proxy")
        try FileManager.default.createDirectory(at: proxyDirectory, withIntermediateDirectories: true)
        if entries > 0 {
            let made = try await E.run("/usr/bin/python3", [Self.support.appendingPathComponent("make_journal.py").path, "\(entries)", journal.path, "300", "2", "\(bigMessage)"], environment: [:])
            guard made.status == 0 else { throw TestSetupError("make_journal.py failed: \(made.stderr)") }
        }

        let (config, cleanup) = try await TestStores.config(engine)
        self.cleanup = cleanup
        var environment = ["DATA_DIR": work.appendingPathComponent("db").path, "PATH": "/usr/bin:/bin"]
        if let url = config.databaseURL { environment["DATABASE_URL"] = url }
        environment.merge(extra) { $1 }
        let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
        token = try await E.run(backend, ["token", "create", Self.host], environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        reader = try await E.run(backend, ["token", "create", "--all-hosts"], environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        backendEnvironment = environment
        let stdout = work.appendingPathComponent("backend.out").path
        backendServer = try Daemon([backend, "serve", "--port", "0"], stdout: stdout, stderr: work.appendingPathComponent("backend.err").path, environment: environment)
        backendURL = try await Self.waitFor { (try? String(contentsOfFile: stdout, encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("metrics-backend listening on ") }.map { String($0.dropFirst("metrics-backend listening on ".count)) } }
        let port = backendURL.split(separator: ":").last.map(String.init) ?? ""
        proxy = try Daemon(["/usr/bin/python3", Self.support.appendingPathComponent("fault_proxy.py").path, proxyDirectory.path, port, plan])
        let proxyPort = try await Self.waitFor { [proxyDirectory] in try? String(contentsOfFile: proxyDirectory.appendingPathComponent("port").path, encoding: .utf8) }
        proxyURL = "http://127.0.0.1:\(proxyPort)"
    }

    static func waitFor(_ probe: @Sendable () -> String?) async throws -> String {
        for _ in 0..<400 {
            if let value = probe(), !value.isEmpty { return value }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestSetupError("a helper process did not start")
    }

    var state: URL { work.appendingPathComponent("state") }
    var cursorFile: URL { state.appendingPathComponent("journal.cursor") }

    /// `metrics-sender` through the proxy, as the host's timer would run it.
    /// `tokenInEnvironment: false` leaves METRICS_TOKEN out, for a token given another way.
    func sender(_ arguments: [String], host: String = SenderBackendRig.host, tokenInEnvironment: Bool = true,
                environment extra: [String: String] = [:]) async throws -> CommandOutcome {
        var environment = ["METRICS_URL": proxyURL, "METRICS_HOST": host, "METRICS_STATE_DIR": state.path]
        if tokenInEnvironment { environment["METRICS_TOKEN"] = token }
        environment.merge(extra) { $1 }
        return try await E.run(E.buildDirectory.appendingPathComponent("metrics-sender").path, arguments, environment: environment)
    }

    /// A sender config file with these lines.
    func config(_ text: String) throws -> String {
        let file = work.appendingPathComponent("sender-\(UUID().uuidString.prefix(6)).toml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Every entry the sender would ship, in order, without sending.
    func dryRun() async throws -> [JournalEntry] {
        let outcome = try await sender(["journal", "--directory", journal.path, "--dry-run"])
        guard outcome.status == 0 else { throw TestSetupError("dry run failed: \(outcome.stderr)") }
        return try outcome.stdout.split(separator: "\n").map { try JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8)) }
    }

    /// What reached the proxy: path, headers, the body, and its journal entries.
    func requests() throws -> [(path: String, headers: [String: String], body: String, entries: [JournalEntry])] {
        let text = (try? String(contentsOf: proxyDirectory.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let headers = Dictionary((object["headers"] as? [String: String] ?? [:]).map { ($0.key.lowercased(), $0.value) }) { a, _ in a }
            let body = object["body"] as? String ?? ""
            let path = object["path"] as? String ?? ""
            let entries = path.hasPrefix("/api/v1/journal") ? try body.split(separator: "\n").map { try JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8)) } : []
            return (path, headers, body, entries)
        }
    }

    /// Every stored entry's cursor, through the search API's pages.
    func storedCursors() async throws -> [String] {
        var cursors: [String] = []
        var uri = "\(backendURL)/api/v1/journal?limit=1000"
        while true {
            let page = try await JSONSerialization.jsonObject(with: E.get(uri, token: reader)) as? [String: Any] ?? [:]
            cursors += (page["entries"] as? [[String: Any]] ?? []).compactMap { $0["cursor"] as? String }
            guard let older = page["older"] as? String else { return cursors }
            uri = "\(backendURL)/api/v1/journal?limit=1000&before=\(older)"
        }
    }

    /// Kills the backend outright (SIGKILL) and starts a new one on the same port and storage.
    func killAndRestartBackend() async throws {
        _ = await backendServer.terminate(signal: SIGKILL, timeout: 10)
        let port = backendURL.split(separator: ":").last.map(String.init) ?? ""
        let stdout = work.appendingPathComponent("backend-2.out").path
        backendServer = try Daemon([E.buildDirectory.appendingPathComponent("metrics-backend").path, "serve", "--port", port],
                                   stdout: stdout, stderr: work.appendingPathComponent("backend-2.err").path, environment: backendEnvironment)
        _ = try await Self.waitFor { (try? String(contentsOfFile: stdout, encoding: .utf8))?.contains("listening on") == true ? "up" : nil }
    }

    func heal() throws { try "".write(to: proxyDirectory.appendingPathComponent("healed"), atomically: true, encoding: .utf8) }

    func finish() async {
        proxy.stop()
        backendServer.stop()
        await cleanup()
        try? FileManager.default.removeItem(at: work)
    }
}
