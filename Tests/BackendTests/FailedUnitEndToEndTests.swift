import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// A failed systemd unit becomes a failed-unit alert at a real backend, and recovers. Where
/// systemd is init, a real `systemd-run --unit` that fails; elsewhere (containers, CI) systemctl
/// is a script printing what systemctl prints, so the sender's parser path is what is tested.
@Suite struct FailedUnitEndToEndTests {
    typealias E = EndToEndTests
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/units")

    @Test func aFailedUnitAlertsAndRecovers() async throws {
        let rig = try await SenderBackendRig(plan: "pass")
        // Finished before the test ends, not in a task a short test run may not wait for.
        do { try await alertsAndRecovers(rig) } catch {
            await rig.finish()
            throw error
        }
        await rig.finish()
    }

    private func alertsAndRecovers(_ rig: SenderBackendRig) async throws {
        let systemdIsInit = FileManager.default.fileExists(atPath: "/run/systemd/system")
        let unit: String
        var senderArguments = ["run", "--collector", "unit"]
        let list = rig.work.appendingPathComponent("units.json")
        if systemdIsInit {
            unit = "metrics-e2e-\(UUID().uuidString.prefix(8).lowercased()).service"
            let started = try await E.run("/usr/bin/systemd-run", ["--unit", unit, "--wait", "/bin/false"], environment: [:])
            #expect(started.status != 0, "the unit must fail")
        } else {
            unit = "backup-db.service"
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("systemctl-failed.json"), to: list)
            let script = rig.work.appendingPathComponent("systemctl")
            let source = rig.work.appendingPathComponent("systemctl.txt")
            try "#!/bin/sh\ncat '\(list.path)'\n".write(to: source, atomically: true, encoding: .utf8)
            let installed = try await E.run("/usr/bin/install", ["-m", "755", source.path, script.path], environment: [:])
            try #require(installed.status == 0)
            senderArguments += ["--systemctl", script.path]
        }

        let first = try await rig.sender(senderArguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try await state(rig, "unit:\(unit)") == .alert)

        if systemdIsInit {
            _ = try await E.run("/usr/bin/systemctl", ["reset-failed", unit], environment: [:])
        } else {
            try "[]".write(to: list, atomically: true, encoding: .utf8)
        }
        try await Task.sleep(for: .milliseconds(1100))  // the next report has a later sentAt
        let second = try await rig.sender(senderArguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await state(rig, "unit:\(unit)") == .ok)
    }

    private func state(_ rig: SenderBackendRig, _ name: String) async throws -> CheckState? {
        let data = try await E.get("\(rig.backendURL)/api/v1/checks?host=\(SenderBackendRig.host)", token: rig.reader)
        let checks = try Report.makeDecoder().decode([String: [CheckRecord]].self, from: data)
        return checks["checks"]?.first { $0.name == name }?.state
    }
}
