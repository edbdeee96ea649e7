import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// `metrics-sender exec` around real commands, against the real backend and the Telegram stand-in.
@Suite struct ExecHeartbeatTests {
    func exec(_ rig: AlertRig, _ arguments: [String]) async throws -> CommandOutcome {
        // A state directory of the rig's own: the report spool lives there, and must not be shared.
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("exec-state-\(ObjectIdentifier(rig).hashValue)").path
        let environment = ["METRICS_URL": rig.url, "METRICS_TOKEN": rig.token, "METRICS_HOST": "web-1", "PATH": "/usr/bin:/bin", "METRICS_STATE_DIR": state]
        return try await EndToEndTests.run(EndToEndTests.buildDirectory.appendingPathComponent("metrics-sender").path, ["exec"] + arguments, environment: environment)
    }

    func check(_ rig: AlertRig, _ name: String) async throws -> [String: Any] {
        let data = try await EndToEndTests.get("\(rig.url)/api/v1/checks/web-1/\(name)", token: rig.reader)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test func aFailingJobFlipsToAlertAndItsOutputIsKept() async throws {
        let rig = try await AlertRig()
        do {
            try await rig.startBackend()
            let ok = try await exec(rig, ["backup", "--every", "1d", "--grace", "1h", "--", "sh", "-c", "echo all good"])
            #expect(ok.status == 0)
            #expect(ok.stdout == "all good\n")
            var backup = try await check(rig, "backup")
            #expect(backup["state"] as? String == "ok")
            #expect(backup["unit"] as? String == "s")
            #expect(backup["every"] as? Int == 86400)

            let failed = try await exec(rig, ["backup", "--", "sh", "-c", "echo out; echo disk full >&2; exit 3"])
            #expect(failed.status == 3)
            #expect(failed.stderr.contains("disk full"))
            backup = try await check(rig, "backup")
            #expect(backup["state"] as? String == "alert")
            #expect(backup["error"] as? String == "exit code 3")
            let details = backup["details"] as? [String: Any] ?? [:]
            #expect(details["exitCode"] as? Int == 3)
            #expect((details["output"] as? String)?.contains("disk full") == true)
            #expect(try await rig.wait { rig.delivered().count == 1 })
            #expect(rig.delivered().first?.text.contains("failed: exit code 3") == true)

            // The next good run recovers it.
            await #expect(try exec(rig, ["backup", "--", "true"]).status == 0)
            await #expect(try check(rig, "backup")["state"] as? String == "ok")
            #expect(try await rig.wait { rig.delivered().count == 2 })
            // A command that does not exist: exit 127, and the check says why.
            let missing = try await exec(rig, ["backup", "--", "/nonexistent/job"])
            #expect(missing.status == 127)
            await #expect(try check(rig, "backup")["state"] as? String == "alert")
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test func anUnreachableBackendDoesNotChangeTheJobsExitCode() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("exec-unreachable-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = ["METRICS_URL": "http://127.0.0.1:9", "METRICS_TOKEN": "x", "METRICS_HOST": "web-1", "PATH": "/usr/bin:/bin",
                           "METRICS_STATE_DIR": state.path]
        // A 1 s timeout keeps the retries short (4 × the timeout at most).
        let outcome = try await EndToEndTests.run(EndToEndTests.buildDirectory.appendingPathComponent("metrics-sender").path,
                                            ["exec", "job", "--timeout", "1s", "--", "sh", "-c", "exit 5"], environment: environment)
        #expect(outcome.status == 5)
        #expect(outcome.stderr.contains("warning: the start heartbeat was not delivered"))
        // Both heartbeats, start and end, are kept to be sent with the next report.
        let kept = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("spool").path).filter { $0.hasSuffix(".json") }
        #expect(kept.count == 2, "\(kept)")
    }
}
