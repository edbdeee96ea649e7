import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// How `metrics-sender` delivers a report, against the real backend behind the recording, failing
/// proxy: the token, gzip above 8 KiB, retries on 5xx with the same report, a 4xx is final.
@Suite struct ReportDeliveryTests {
    typealias Rig = SenderBackendRig
    typealias E = EndToEndTests

    func checks(_ rig: Rig) async throws -> [CheckRecord] {
        let data = try await E.get("\(rig.backendURL)/api/v1/checks?host=\(Rig.host)", token: rig.reader)
        return try Report.makeDecoder().decode([String: [CheckRecord]].self, from: data)["checks"] ?? []
    }

    @Test func postsTheReportWithTheToken() async throws {
        let rig = try await Rig(plan: "pass")
        defer { Task { await rig.finish() } }
        let outcome = try await rig.sender(["ping", "backup-db", "--every", "1d"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let requests = try rig.requests()
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.path == "/api/v1/report")
        #expect(request.headers["authorization"] == "Bearer \(rig.token)")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["content-encoding"] == nil)
        let report = try Report.makeDecoder().decode(Report.self, from: Data(request.body.utf8))
        #expect(report.host == Rig.host)
        #expect(report.observations == [Observation(name: "backup-db", kind: .heartbeat, status: "ok", every: 86400)])
        let stored = try await checks(rig)
        #expect(stored.map(\.name) == ["backup-db"])
        #expect(stored.first?.every == 86400)
    }

    @Test func retriesServerErrorsWithTheSameReport() async throws {
        let rig = try await Rig(plan: "fail,lost-ack,pass")
        defer { Task { await rig.finish() } }
        let outcome = try await rig.sender(["ping", "job", "--timeout", "5s"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let requests = try rig.requests()
        #expect(requests.count == 3)
        // The same report each time, so the backend recognises the retry after the lost answer.
        #expect(Set(requests.map(\.body)).count == 1)
        let stored = try await checks(rig)
        #expect(stored.map(\.name) == ["job"])
        let samples = try await JSONSerialization.jsonObject(with: E.get("\(rig.backendURL)/api/v1/hosts", token: rig.reader)) as? [String: [[String: Any]]]
        #expect(samples?["hosts"]?.count == 1)
    }

    /// A report the backend cannot take through every retry is kept, and goes right after the
    /// next run's own report, so a kept report can never hold a newer one back.
    @Test func aReportAnOutageKeptBackIsSentAfterTheNext() async throws {
        let rig = try await Rig(plan: "fail-until-healed")
        defer { Task { await rig.finish() } }
        let first = try await rig.sender(["ping", "first-job", "--timeout", "1s"])
        #expect(first.status != 0)
        let spool = rig.state.appendingPathComponent("spool")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".json") }.count == 1)
        try Data().write(to: rig.proxyDirectory.appendingPathComponent("healed"))
        let second = try await rig.sender(["ping", "second-job", "--timeout", "1s"])
        #expect(second.status == 0, "\(second.stderr)")
        await #expect(Set(try checks(rig).map(\.name)) == ["first-job", "second-job"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".json") }.isEmpty)
        // The run's own report went first, then the kept one: the same report, marked resent, so
        // the backend keeps its old time (a report dated in the past is otherwise a wrong clock).
        let requests = try rig.requests()
        let bodies = requests.map(\.body)
        #expect(bodies.suffix(2).first?.contains("second-job") == true && bodies.last?.contains("first-job") == true)
        func object(_ body: String?) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data((body ?? "").utf8))) as? [String: Any] ?? [:] }
        let (original, kept) = (object(bodies.first), object(bodies.last))
        #expect(original["resent"] == nil && kept["resent"] as? Bool == true)
        #expect(kept["reportId"] as? String == original["reportId"] as? String && kept["sentAt"] as? String == original["sentAt"] as? String)
    }

    /// The token read from a file (not on the command line, where `ps` shows it) is the one sent,
    /// and the environment's file beats the config file's.
    @Test func theTokenFromAFileIsSent() async throws {
        let rig = try await Rig(plan: "pass")
        defer { Task { await rig.finish() } }
        let right = rig.work.appendingPathComponent("token"), wrong = rig.work.appendingPathComponent("wrong-token")
        try (rig.token + "\n").write(to: right, atomically: true, encoding: .utf8)
        try "mt_wrong\n".write(to: wrong, atomically: true, encoding: .utf8)
        for file in [right, wrong] { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path) }
        let flag = try await rig.sender(["ping", "from-flag", "--token-file", right.path], tokenInEnvironment: false)
        #expect(flag.status == 0 && flag.stderr.isEmpty, "\(flag.stderr)")
        let config = try rig.config("token_file = \"\(wrong.path)\"\n")
        let environment = try await rig.sender(["ping", "from-env", "--config", config], tokenInEnvironment: false,
                                               environment: ["METRICS_TOKEN_FILE": right.path])
        #expect(environment.status == 0, "\(environment.stderr)")
        let refused = try await rig.sender(["ping", "from-config", "--config", config], tokenInEnvironment: false)
        #expect(refused.status == 3 && refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        #expect(try rig.requests().map { $0.headers["authorization"] } == ["Bearer \(rig.token)", "Bearer \(rig.token)", "Bearer mt_wrong"])
        await #expect(Set(try checks(rig).map(\.name)) == ["from-flag", "from-env"])
    }

    @Test func aClientErrorIsFinalAndShown() async throws {
        let rig = try await Rig(plan: "pass")
        defer { Task { await rig.finish() } }
        // The token may only report for its own host: the backend's 403 and its JSON error.
        let outcome = try await rig.sender(["ping", "job"], host: "another-host")
        #expect(outcome.status == 3)
        #expect(try rig.requests().count == 1)
        #expect(outcome.stderr.contains("HTTP 403"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(#""field":"host""#), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func largeReportsAreGzipped() async throws {
        let rig = try await Rig(plan: "pass")
        defer { Task { await rig.finish() } }
        // Sixty arrays make a report well above the 8 KiB gzip threshold.
        let root = rig.work.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("proc"), withIntermediateDirectories: true)
        let arrays = (0..<60).map { "md\($0) : active raid1 sdb\($0)[1] sda\($0)[0]\n      1000 blocks super 1.2 [2/2] [UU]\n" }
        try ("Personalities : [raid1]\n" + arrays.joined(separator: "\n") + "unused devices: <none>\n")
            .write(to: root.appendingPathComponent("proc/mdstat"), atomically: true, encoding: .utf8)
        let outcome = try await rig.sender(["collect", "--root", root.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let request = try #require(try rig.requests().first)
        #expect(request.headers["content-encoding"] == "gzip")
        #expect(try Report.makeDecoder().decode(Report.self, from: Data(request.body.utf8)).observations.count == 60)
        await #expect(try checks(rig).filter { $0.kind == .raid }.count == 60)
    }
}
