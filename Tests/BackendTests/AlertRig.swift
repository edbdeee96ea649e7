import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// Real backends sending to a real local HTTP server that stands in for Telegram's Bot API
/// (`Tests/Support/telegram_standin.py`), which records every message with its arrival time.
final class AlertRig: @unchecked Sendable {
    typealias E = EndToEndTests
    let work: URL
    let standin: Daemon
    let telegramURL: String
    let environment: [String: String]
    let token: String
    let reader: String
    private(set) var backends: [(daemon: Daemon, url: String)] = []
    private let cleanup: @Sendable () async -> Void

    /// `standinPaths`: settings that point at the stand-in too, e.g. `WEBHOOK_URL: "/hook"`.
    init(engine: Engine = .sqlite, settings: [String: String] = [:], standinPaths: [String: String] = [:]) async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UUID().uuidString.prefix(8))")
        let standinDirectory = work.appendingPathComponent("telegram")
        try FileManager.default.createDirectory(at: standinDirectory, withIntermediateDirectories: true)
        standin = try Daemon(["/usr/bin/python3", SenderBackendRig.support.appendingPathComponent("telegram_standin.py").path, standinDirectory.path])
        let port = try await SenderBackendRig.waitFor { try? String(contentsOfFile: standinDirectory.appendingPathComponent("port").path, encoding: .utf8) }
        telegramURL = "http://127.0.0.1:\(port)"
        let (config, cleanup) = try await TestStores.config(engine)
        self.cleanup = cleanup
        var environment = [
            "DATA_DIR": work.appendingPathComponent("db").path, "PATH": "/usr/bin:/bin",
            "TELEGRAM_BOT_TOKEN": "123:test", "TELEGRAM_CHAT_ID": "1001", "TELEGRAM_API_URL": telegramURL,
        ]
        if let url = config.databaseURL { environment["DATABASE_URL"] = url }
        for (key, path) in standinPaths { environment[key] = telegramURL + path }
        self.environment = environment.merging(settings) { $1 }
        let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
        token = try await E.run(backend, ["token", "create", "web-1"], environment: self.environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        reader = try await E.run(backend, ["token", "create", "--all-hosts"], environment: self.environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts one more backend on the same storage; returns its index.
    @discardableResult
    func startBackend() async throws -> Int {
        let index = backends.count
        let stdout = work.appendingPathComponent("backend-\(index).out").path
        let daemon = try Daemon([E.buildDirectory.appendingPathComponent("metrics-backend").path, "serve", "--port", "0"],
                                stdout: stdout, stderr: work.appendingPathComponent("backend-\(index).err").path, environment: environment)
        let url = try await SenderBackendRig.waitFor { (try? String(contentsOfFile: stdout, encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("metrics-backend listening on ") }.map { "http://" + $0.dropFirst("metrics-backend listening on http://".count) } }
        backends.append((daemon, url))
        return index
    }

    var url: String { backends.last?.url ?? "" }

    /// Sets how the stand-in answers from now on: ok, 500, "429 N", hang, 400.
    func telegram(_ mode: String) throws {
        try mode.write(to: work.appendingPathComponent("telegram/mode"), atomically: true, encoding: .utf8)
    }

    struct Message {
        var path: String
        var method: String
        var body: [String: Any]
        var status: Int
        var text: String
        var chat: String
        var parseMode: String
        var at: Date
    }

    /// Every request the stand-in received, in order.
    func messages() -> [Message] {
        let text = (try? String(contentsOf: work.appendingPathComponent("telegram/messages.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            let message = object["message"] as? [String: Any] ?? [:]
            return Message(path: object["path"] as? String ?? "", method: object["method"] as? String ?? "", body: message,
                           status: object["status"] as? Int ?? 0, text: message["text"] as? String ?? "", chat: message["chat_id"] as? String ?? "",
                           parseMode: message["parse_mode"] as? String ?? "", at: Date(timeIntervalSince1970: object["at"] as? Double ?? 0))
        }
    }

    /// Messages Telegram accepted.
    func delivered() -> [Message] { messages().filter { $0.status == 200 && $0.path.hasSuffix("/sendMessage") } }

    /// What the delivered messages told, one word per notification (ALERT, OK, FLAPPING …), in
    /// message order: a single message by its headline, a group by its count line
    /// ("🔔 3 notifications: 1 ALERT, 2 OK").
    func told() -> [String] { delivered().flatMap { Self.told($0.text) } }

    static func told(_ text: String) -> [String] {
        let headline = text.split(separator: "\n").first.map(String.init) ?? ""
        guard headline.hasPrefix("🔔 "), let colon = headline.firstIndex(of: ":") else {
            return [headline.split(separator: " ").dropFirst().first.map(String.init) ?? ""]
        }
        return headline[headline.index(after: colon)...].split(separator: ",").flatMap { part -> [String] in
            let words = part.split(separator: " ")
            guard let count = words.first.flatMap({ Int($0) }) else { return [] }
            return Array(repeating: words.dropFirst().joined(separator: " "), count: count)
        }
    }

    /// Waits until `condition` holds (at most `timeout` seconds); false if it never did.
    func wait(_ timeout: Double = 20, until condition: () -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    func report(_ observations: [Observation], to index: Int? = nil) async throws {
        let report = Report(host: "web-1", sentAt: Date(), reportId: UUID().uuidString, observations: observations)
        let body = String(decoding: try Report.makeEncoder().encode(report), as: UTF8.self)
        try await post("/api/v1/report", body: body, token: token, to: index)
    }

    /// Many hosts' reports at once, through one curl that sends them side by side: a storm
    /// must not be spread out by starting a process per report. Needs the all-hosts token.
    func report(hosts reports: [Report], parallel: Int = 16) async throws {
        let batch = work.appendingPathComponent("batch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: batch, withIntermediateDirectories: true)
        var entries: [String] = []
        for (index, report) in reports.enumerated() {
            let file = batch.appendingPathComponent("\(index).json")
            try Report.makeEncoder().encode(report).write(to: file)
            entries.append("""
                url = "\(url)/api/v1/report"
                header = "Authorization: Bearer \(reader)"
                header = "Content-Type: application/json"
                data-binary = "@\(file.path)"
                fail-with-body
                output = "\(file.path).answer"

                """)
        }
        let configFile = batch.appendingPathComponent("curl.conf")
        try entries.joined(separator: "next\n").write(to: configFile, atomically: true, encoding: .utf8)
        // A 503 under load says when to come back (Retry-After); a sender retries, so the rig does too.
        let outcome = try await E.run("/usr/bin/curl", ["-sS", "--no-progress-meter", "--retry", "5", "--parallel", "--parallel-max", "\(parallel)", "-K", configFile.path],
                                      environment: [:])
        if outcome.status != 0 {
            let answers = (0..<reports.count).compactMap { try? String(contentsOfFile: batch.appendingPathComponent("\($0).json.answer").path, encoding: .utf8) }
            let log = (try? String(contentsOf: work.appendingPathComponent("backend-\(backends.count - 1).err"), encoding: .utf8)) ?? ""
            throw TestSetupError("reports failed: \(outcome.stderr.suffix(300)) \(answers.filter { !$0.isEmpty }.first ?? "") \(log.suffix(600))")
        }
        try? FileManager.default.removeItem(at: batch)
    }

    func post(_ path: String, body: String, token: String, to index: Int? = nil) async throws {
        let base = index.map { backends[$0].url } ?? url
        let outcome = try await E.run("/usr/bin/curl", ["-sS", "--fail-with-body", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                                   "--data-binary", body, base + path], environment: [:])
        guard outcome.status == 0 else { throw TestSetupError("POST \(path) failed: \(outcome.stdout) \(outcome.stderr)") }
    }

    func disk(_ used: Double, mount: String = "/") -> Observation {
        Observation(name: "disk:\(mount)", kind: .disk, value: used, unit: "%")
    }

    /// Which backend leads evaluation, from the line each logs when it starts leading.
    func leader() async throws -> Int? {
        for _ in 0..<200 {
            for (index, _) in backends.enumerated() {
                let log = (try? String(contentsOf: work.appendingPathComponent("backend-\(index).err"), encoding: .utf8)) ?? ""
                if log.contains("leading evaluation") { return index }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func finish() async {
        for backend in backends { backend.daemon.stop() }
        standin.stop()
        await cleanup()
        if ProcessInfo.processInfo.environment["KEEP_RIG"] == nil { try? FileManager.default.removeItem(at: work) }
    }
}
