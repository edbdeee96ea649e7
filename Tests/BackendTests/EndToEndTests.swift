import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// The real programs, as a user runs them: `metrics-backend serve` on a random port with the
/// embedded store, `metrics-sender run` against it, then the read API.
@Suite struct EndToEndTests {
    static var buildDirectory: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    static func run(_ program: String, _ arguments: [String], environment: [String: String]) async throws -> CommandOutcome {
        try await runCommand(program, arguments, environment: environment)
    }

    static func get(_ url: String, token: String) async throws -> Data {
        let outcome = try await run("/usr/bin/curl", ["-sS", "--fail-with-body", "-H", "Authorization: Bearer \(token)", url], environment: [:])
        guard outcome.status == 0 else { throw TestSetupError("GET \(url) failed: \(outcome.stdout) \(outcome.stderr)") }
        return Data(outcome.stdout.utf8)
    }

    @Test func aSenderRunShowsUpInTheReadAPI() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let backend = Self.buildDirectory.appendingPathComponent("metrics-backend").path
        let sender = Self.buildDirectory.appendingPathComponent("metrics-sender").path
        let env = ["DATA_DIR": data.appendingPathComponent("db").path]

        let hostToken = try await Self.run(backend, ["token", "create", "e2e-host"], environment: env)
        #expect(hostToken.status == 0, "\(hostToken.stderr)")
        let readToken = try await Self.run(backend, ["token", "create", "--all-hosts", "--label", "e2e"], environment: env)
        let token = hostToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = readToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("mt_"))

        let stdout = data.appendingPathComponent("stdout").path
        let server = try Daemon([backend, "serve", "--hostname", "127.0.0.1", "--port", "0"], stdout: stdout,
                                stderr: data.appendingPathComponent("stderr").path, environment: env.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        defer { server.stop() }
        var url: String?
        for _ in 0..<400 where url == nil {
            let text = (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? ""
            url = text.split(separator: "\n").first { $0.hasPrefix("metrics-backend listening on ") }.map { String($0.dropFirst("metrics-backend listening on ".count)) }
            if url == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        let base = try #require(url, "the backend did not say where it listens")

        let senderEnv = ["METRICS_URL": base, "METRICS_TOKEN": token, "METRICS_HOST": "e2e-host", "METRICS_STATE_DIR": data.appendingPathComponent("state").path]
        let first = try await Self.run(sender, ["run", "--collector", "memory", "--collector", "disk"], environment: senderEnv)
        #expect(first.status == 0, "\(first.stderr)")
        try await Task.sleep(for: .milliseconds(1100))  // the next report has a later sentAt
        let second = try await Self.run(sender, ["run", "--collector", "memory", "--collector", "disk"], environment: senderEnv)
        #expect(second.status == 0, "\(second.stderr)")

        // The wrong host for this token is refused, and the sender says so with exit code 3.
        let wrongHost = try await Self.run(sender, ["run", "--collector", "memory"], environment: senderEnv.merging(["METRICS_HOST": "other"]) { $1 })
        #expect(wrongHost.status == 3)
        #expect(wrongHost.stderr.contains("only report for host"))

        let hosts = try await JSONSerialization.jsonObject(with: Self.get("\(base)/api/v1/hosts", token: reader)) as? [String: [[String: Any]]]
        #expect(hosts?["hosts"]?.compactMap { $0["name"] as? String } == ["e2e-host"])
        let checks = try await Report.makeDecoder().decode([String: [CheckRecord]].self, from: Self.get("\(base)/api/v1/checks?host=e2e-host", token: reader))
        let names = checks["checks"]?.map(\.name) ?? []
        #expect(names.contains("memory"))
        #expect(names.contains { $0.hasPrefix("disk:") })
        let memory = try await JSONSerialization.jsonObject(with: Self.get("\(base)/api/v1/checks/e2e-host/memory/samples?from=0", token: reader)) as? [String: Any]
        #expect((memory?["samples"] as? [Any])?.count == 2)

        // SIGTERM shuts down gracefully: exit status 0.
        #expect(await server.terminate(timeout: 15) == 0)
    }

    @Test func badSettingsGiveOneLineAndExitCode2() async throws {
        let backend = Self.buildDirectory.appendingPathComponent("metrics-backend").path
        for (env, variable) in [
            (["SAMPLE_RETENTION": "30"], "SAMPLE_RETENTION"),
            (["DATABASE_URL": "mysql://x"], "DATABASE_URL"),
            (["ALLOW_ANONYMOUS_INGEST": "maybe"], "ALLOW_ANONYMOUS_INGEST"),
            (["REPORT_MAX_BYTES": "-1"], "REPORT_MAX_BYTES"),
        ] {
            let outcome = try await Self.run(backend, ["migrate"], environment: env.merging(["DATA_DIR": "/nonexistent-for-test"]) { $1 })
            #expect(outcome.status == 2, "\(variable)")
            #expect(outcome.stderr.hasPrefix("metrics-backend: \(variable)"), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
        let unknownFlag = try await Self.run(backend, ["serve", "--colour"], environment: [:])
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.split(separator: "\n").count == 1)
        let revokeMissing = try await Self.run(backend, ["token", "revoke", "99"], environment: ["DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("revoke-\(UUID().uuidString.prefix(6))").path])
        #expect(revokeMissing.status == 1)
        #expect(revokeMissing.stderr.contains("no live token"))
    }

    /// `user add` reads the password from stdin and keeps only its bcrypt hash.
    @Test func userAddStoresABcryptHashAndRefusesBadInput() async throws {
        let backend = Self.buildDirectory.appendingPathComponent("metrics-backend").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = ["DATA_DIR": directory.path, "LOG_LEVEL": "error", "BACKEND": backend]
        func add(_ input: String, _ email: String) async throws -> CommandOutcome {
            try await Self.run("/bin/sh", ["-c", "printf '\(input)' | \"$BACKEND\" user add '\(email)'"], environment: env)
        }
        let made = try await add("correct horse battery\\n", "Ops@Example.com")
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout == "user Ops@Example.com created (admin)\n")
        let again = try await add("another long password\\n", "ops@example.com")
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
        for (input, email, message) in [("short\\n", "a@example.com", "at least 10"), ("", "a@example.com", "no password on stdin"),
                                         ("correct horse battery\\n", "not-an-email", "not an email address")] {
            let outcome = try await add(input, email)
            #expect(outcome.status == 2, "\(email) \(input)")
            #expect(outcome.stderr.contains(message) && outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
        var config = BackendConfig.defaults
        config.dataDirectory = directory.path
        let user = try await withStore(config, logger: TestStores.logger) { store in try await store.user(email: "OPS@example.com") }
        #expect(user?.passwordHash.hasPrefix("$2b$12$") == true)
        #expect(user?.passwordHash.contains("correct horse") == false)
    }

    /// A database URL naming nothing that answers: a one-line error and exit 1, never a hang.
    @Test func anUnreachableDatabaseFailsInsteadOfHanging() async throws {
        guard Engine.available.contains(.postgres), let base = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { return }
        let backend = Self.buildDirectory.appendingPathComponent("metrics-backend").path
        let missing = TestStores.replacingDatabase(in: base, with: "no_such_database")
        let outcome = try await Self.run("/usr/bin/timeout", ["60", backend, "token", "create", "web-1"], environment: ["DATABASE_URL": missing, "LOG_LEVEL": "error"])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("metrics-backend: storage unavailable: no answer from the database"), "\(outcome.stderr)")
    }
}
