import Foundation
import Shared
import TestSupport
import Testing

/// Bad settings give one clear line on stderr and exit code 2.
@Suite struct SenderCLITests {
    @Test(arguments: [
        (["collect", "--url", "not a url"], "--url"),
        (["collect", "--url", "ftp://example.com"], "--url"),
        (["collect", "--url", "http://example.com:99999"], "port"),
        (["collect", "--unknown-flag"], "--unknown-flag"),
        (["collect", "--dry-run", "--root", "/nonexistent/tree"], "--root"),
        (["ping", "job", "--every", "5x"], "--every"),
        (["ping", "job", "--grace", "90"], "--grace"),
        (["collect", "--timeout", "soon"], "--timeout"),
        (["run", "--url", "http://127.0.0.1:9", "--run-limit", "2s"], "--run-limit must be from 5s to 1h"),
        (["collect", "--collector", "gpu"], "gpu"),
        (["collect", "--config", "/nonexistent.toml"], "/nonexistent.toml"),
        (["run"], "METRICS_URL"),
        (["frobnicate"], "frobnicate"),
    ])
    func badSettingExitsTwoWithOneLine(arguments: [String], mention: String) async throws {
        let outcome = try await SenderBinary.run(arguments)
        #expect(outcome.status == 2)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(mention), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func badEnvironmentExitsTwo() async throws {
        let outcome = try await SenderBinary.run(["collect", "--dry-run"], environment: ["METRICS_URL": "localhost:8080"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("METRICS_URL"))
    }

    @Test func badConfigFileNamesFileAndLine() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sender-\(UUID()).toml")
        try "url = \"http://x\"\ntimeout = 10\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--config", file.path])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("timeout in \(file.path) must be a string"), "\(outcome.stderr)")
        try "url = \"http://x\"\ncolectors = []\n".write(to: file, atomically: true, encoding: .utf8)
        let typo = try await SenderBinary.run(["collect", "--dry-run", "--config", file.path])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown setting 'colectors'"), "\(typo.stderr)")
    }

    @Test func flagsBeatEnvironmentBeatsConfigFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sender-\(UUID()).toml")
        try "host = \"from-file\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        func host(_ arguments: [String], _ environment: [String: String]) async throws -> String {
            let outcome = try await SenderBinary.run(["ping", "job", "--dry-run", "--config", file.path] + arguments, environment: environment)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).host
        }
        #expect(try await host([], [:]) == "from-file")
        #expect(try await host([], ["METRICS_HOST": "from-env"]) == "from-env")
        #expect(try await host(["--host", "from-flag"], ["METRICS_HOST": "from-env"]) == "from-flag")
    }

    @Test func tagsFromTheConfigFileGoOutWithEveryPeriodicReport() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sender-\(UUID()).toml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "tags = [\"db\", \"eu\"]\n".write(to: file, atomically: true, encoding: .utf8)
        func tags(_ arguments: [String]) async throws -> [String]? {
            let only = arguments[0] == "collect" ? ["--collector", "memory"] : []
            let outcome = try await SenderBinary.run(arguments + ["--dry-run", "--host", "db-1"] + only)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).tags
        }
        #expect(try await tags(["collect", "--config", file.path]) == ["db", "eu"])
        // None configured: an empty list, so that removing them clears them at the backend.
        #expect(try await tags(["collect"]) == [])
        // A heartbeat tells none: a cron job may run without the config file.
        #expect(try await tags(["ping", "job", "--config", file.path]) == nil)
        try "tags = [\"db\", \"eu west\"]\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try await SenderBinary.run(["ping", "job", "--dry-run", "--host", "db-1", "--config", file.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\(file.path): tags[1]: 'eu west' is not a tag"), "\(bad.stderr)")
    }

    @Test func pingDryRunPrintsAHeartbeat() async throws {
        let outcome = try await SenderBinary.run(["ping", "backup-db", "--every", "1d", "--grace", "1h", "--fail", "--dry-run", "--host", "web-1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations == [Observation(name: "backup-db", kind: .heartbeat, status: "fail", every: 86400, grace: 3600)])
        #expect(report.sender == "metrics-sender/0.1.0")
    }

    @Test func unreachableBackendExitsThree() async throws {
        // Port 9 on loopback: nothing listens, so the connection is refused at once.
        let outcome = try await SenderBinary.run(["ping", "job", "--url", "http://127.0.0.1:9", "--timeout", "1s"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("backend unreachable"), "\(outcome.stderr)")
    }

    /// A backend that takes the connection and never answers: `run` stops at its limit, not after
    /// the retry budget (4 timeouts), and says so.
    @Test func runEndsAtItsLimitWhenTheBackendNeverAnswers() async throws {
        let server = try LoopbackSocket()
        defer { server.close() }
        // Listening but never accepting: the kernel completes connections, nobody answers.
        #expect(listen(server.fd, 16) == 0)
        let port = server.port
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let outcome = try await SenderBinary.run(["run", "--collector", "memory", "--url", "http://127.0.0.1:\(port)", "--timeout", "20s",
                                                  "--run-limit", "5s", "--state-dir", state.path])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("stopped at the run's limit, run_limit"), "\(outcome.stderr)")
    }
}
