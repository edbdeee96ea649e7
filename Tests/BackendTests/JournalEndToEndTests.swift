import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// The real `metrics-sender journal` reading real journal files (written by systemd-journal-remote)
/// into a real `metrics-backend serve`, through a proxy that records requests, loses
/// acknowledgements and fails on demand.
@Suite struct JournalEndToEndTests {
    typealias E = EndToEndTests

    static var support: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support")
    }

    /// A journal, a backend with a token for its host, and the proxy in front of the backend.
    final class Rig: @unchecked Sendable {
        static let host = "bench-host"
        let work: URL
        let journal: URL
        let proxyDirectory: URL
        let backendServer: Daemon
        let proxy: Daemon
        let backendURL: String
        let proxyURL: String
        let token: String
        let reader: String
        private let cleanup: @Sendable () async -> Void

        init(engine: Engine = .sqlite, entries: Int, plan: String) async throws {
            work = FileManager.default.temporaryDirectory.appendingPathComponent("journal-e2e-\(UUID().uuidString.prefix(8))")
            journal = work.appendingPathComponent("journal")
            proxyDirectory = work.appendingPathComponent("proxy")
            try FileManager.default.createDirectory(at: proxyDirectory, withIntermediateDirectories: true)
            let made = try E.run("/usr/bin/python3", [support.appendingPathComponent("make_journal.py").path, "\(entries)", journal.path, "300", "2"], environment: [:])
            guard made.status == 0 else { throw TestSetupError("make_journal.py failed: \(made.stderr)") }

            let (config, cleanup) = try TestStores.config(engine)
            self.cleanup = cleanup
            var environment = ["DATA_DIR": work.appendingPathComponent("db").path, "PATH": "/usr/bin:/bin"]
            if let url = config.databaseURL { environment["DATABASE_URL"] = url }
            let backend = E.buildDirectory.appendingPathComponent("metrics-backend").path
            token = try E.run(backend, ["token", "create", Self.host], environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            reader = try E.run(backend, ["token", "create", "--all-hosts"], environment: environment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let stdout = work.appendingPathComponent("backend.out").path
            backendServer = try Daemon([backend, "serve", "--port", "0"], stdout: stdout, stderr: work.appendingPathComponent("backend.err").path, environment: environment)
            backendURL = try await Self.waitFor { (try? String(contentsOfFile: stdout, encoding: .utf8))?.split(separator: "\n")
                .first { $0.hasPrefix("metrics-backend listening on ") }.map { String($0.dropFirst("metrics-backend listening on ".count)) } }
            let port = backendURL.split(separator: ":").last.map(String.init) ?? ""
            proxy = try Daemon(["/usr/bin/python3", support.appendingPathComponent("fault_proxy.py").path, proxyDirectory.path, port, plan])
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
        func sender(_ arguments: [String], host: String = Rig.host) throws -> CommandOutcome {
            let environment = ["METRICS_URL": proxyURL, "METRICS_TOKEN": token, "METRICS_HOST": host, "METRICS_STATE_DIR": state.path]
            return try E.run(E.buildDirectory.appendingPathComponent("metrics-sender").path, arguments, environment: environment)
        }

        /// A sender config file with these lines.
        func config(_ text: String) throws -> String {
            let file = work.appendingPathComponent("sender-\(UUID().uuidString.prefix(6)).toml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }

        /// Every entry the sender would ship, in order, without sending.
        func dryRun() throws -> [JournalEntry] {
            let outcome = try sender(["journal", "--directory", journal.path, "--dry-run"])
            guard outcome.status == 0 else { throw TestSetupError("dry run failed: \(outcome.stderr)") }
            return try outcome.stdout.split(separator: "\n").map { try JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8)) }
        }

        /// What reached the proxy: path, headers, and the body's entries.
        func requests() throws -> [(path: String, headers: [String: String], entries: [JournalEntry])] {
            let text = (try? String(contentsOf: proxyDirectory.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                let headers = Dictionary((object["headers"] as? [String: String] ?? [:]).map { ($0.key.lowercased(), $0.value) }) { a, _ in a }
                let body = object["body"] as? String ?? ""
                let path = object["path"] as? String ?? ""
                let entries = path.hasPrefix("/api/v1/journal") ? try body.split(separator: "\n").map { try JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8)) } : []
                return (path, headers, entries)
            }
        }

        /// Every stored entry's cursor, through the search API's pages.
        func storedCursors() throws -> [String] {
            var cursors: [String] = []
            var uri = "\(backendURL)/api/v1/journal?limit=1000"
            while true {
                let page = try JSONSerialization.jsonObject(with: E.get(uri, token: reader)) as? [String: Any] ?? [:]
                cursors += (page["entries"] as? [[String: Any]] ?? []).compactMap { $0["cursor"] as? String }
                guard let older = page["older"] as? String else { return cursors }
                uri = "\(backendURL)/api/v1/journal?limit=1000&before=\(older)"
            }
        }

        func heal() throws { try "".write(to: proxyDirectory.appendingPathComponent("healed"), atomically: true, encoding: .utf8) }

        func finish() async {
            proxy.stop()
            backendServer.stop()
            await cleanup()
            try? FileManager.default.removeItem(at: work)
        }
    }

    @Test(arguments: Engine.available)
    func noEntryIsLostOrStoredTwiceThroughFailuresAndResends(_ engine: Engine) async throws {
        // The first batch passes, the second is stored but its answer lost, then the backend
        // fails until healed.
        let rig = try await Rig(engine: engine, entries: 1200, plan: "pass,lost-ack,fail-until-healed")
        defer { Task { await rig.finish() } }
        let arguments = ["journal", "--directory", rig.journal.path, "--config", try rig.config("[journal]\nbatch_entries = 100\n"), "--timeout", "1s"]

        let failing = try rig.sender(arguments)
        #expect(failing.status == 3, "\(failing.stderr)")
        #expect(failing.stderr.contains("unreachable"), "\(failing.stderr)")
        #expect(failing.stderr.split(separator: "\n").count == 1, "\(failing.stderr)")
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8).hasPrefix("s="))

        try rig.heal()
        let recovered = try rig.sender(arguments)
        #expect(recovered.status == 0, "\(recovered.stderr)")
        var cursors = try rig.storedCursors()
        #expect(cursors.count == 1200)
        #expect(Set(cursors).count == 1200)

        // A lost cursor resends everything in the start window; the backend stores nothing twice.
        try FileManager.default.removeItem(at: rig.cursorFile)
        let resent = try rig.sender(arguments)
        #expect(resent.status == 0, "\(resent.stderr)")
        cursors = try rig.storedCursors()
        #expect(cursors.count == 1200)

        // The same cursors journalctl sees in the files.
        let exported = try E.run("/usr/bin/journalctl", ["-D", rig.journal.path, "-o", "export", "--output-fields=__CURSOR"], environment: [:])
        let source = Set(exported.stdout.split(separator: "\n").filter { $0.hasPrefix("__CURSOR=") }.map { String($0.dropFirst("__CURSOR=".count)) })
        #expect(source.count == 1200)
        #expect(Set(cursors) == source)
        #expect(rig.backendServer.terminate(timeout: 15) == 0)
    }

    @Test func theCursorMovesOnlyAfterAnAcknowledgedBatch() async throws {
        let rig = try await Rig(entries: 12, plan: "pass,pass,fail-until-healed")
        defer { Task { await rig.finish() } }
        let all = try rig.dryRun()
        #expect(all.count == 12)
        let arguments = ["journal", "--directory", rig.journal.path, "--config", try rig.config("[journal]\nbatch_entries = 4\n"), "--timeout", "1s"]

        // Two batches pass, the third keeps failing: exit 3, the cursor after the second batch.
        let first = try rig.sender(arguments)
        #expect(first.status == 3)
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[7].cursor + "\n")
        let mode = try FileManager.default.attributesOfItem(atPath: rig.state.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let requests = try rig.requests()
        #expect(requests.count >= 3)
        for request in requests {
            #expect(request.path == "/api/v1/journal?host=\(Rig.host)")
            #expect(request.headers["content-type"] == "application/x-ndjson")
            #expect(request.headers["content-encoding"] == "gzip")
            #expect(request.headers["authorization"] == "Bearer \(rig.token)")
        }
        #expect(requests.prefix(3).map { $0.entries.map(\.cursor) } == [0..<4, 4..<8, 8..<12].map { all[$0].map(\.cursor) })

        // The next run resends the unacknowledged batch only; then the cursor is at the end.
        try rig.heal()
        let second = try rig.sender(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let resent = try rig.requests().dropFirst(requests.count)
        #expect(resent.flatMap(\.entries).map(\.cursor) == all[8...].map(\.cursor))
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[11].cursor + "\n")
        #expect(try rig.storedCursors().count == 12)

        // Nothing new: nothing sent.
        let sentBefore = try rig.requests().count
        let third = try rig.sender(arguments)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try rig.requests().count == sentBefore)
    }

    @Test func skippedEntriesAfterTheLastSentOneAreNotReadAgain() async throws {
        let rig = try await Rig(entries: 12, plan: "pass")
        defer { Task { await rig.finish() } }
        let all = try rig.dryRun()
        let lastUnit = try #require(all.last?.unit)
        let outcome = try rig.sender(["journal", "--directory", rig.journal.path, "--exclude-unit", lastUnit])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Set(try rig.storedCursors()) == Set(all.filter { $0.unit != lastUnit }.map(\.cursor)))
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[all.count - 1].cursor + "\n")
    }

    @Test func aRefusalIsFinalAndKeepsTheCursor() async throws {
        let rig = try await Rig(entries: 12, plan: "pass")
        defer { Task { await rig.finish() } }
        // The token may only send for its own host: 403, which no retry can change.
        let outcome = try rig.sender(["journal", "--directory", rig.journal.path], host: "another-host")
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("HTTP 403"), "\(outcome.stderr)")
        #expect(try rig.requests().count == 1)
        #expect(!FileManager.default.fileExists(atPath: rig.cursorFile.path))
        #expect(try rig.storedCursors().isEmpty)
    }

    @Test func runSkipsTheJournalWhenDisabled() async throws {
        let rig = try await Rig(entries: 1, plan: "pass")
        defer { Task { await rig.finish() } }
        let outcome = try rig.sender(["run", "--config", try rig.config("[journal]\nenabled = false\n"), "--collector", "memory"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try rig.requests().map(\.path) == ["/api/v1/report"])
    }
}
