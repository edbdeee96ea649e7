import Foundation
import TestSupport
import Testing

/// `metrics-sender install`: the units it writes pass `systemd-analyze verify` with no warning.
@Suite struct InstallTests {
    @Test func writesAServiceAndATimerSystemdAccepts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await SenderBinary.run(["install", "--directory", directory.path, "--binary", "/bin/true", "--random-delay", "30s"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("systemctl enable --now metrics-sender.timer"))
        let service = try String(contentsOf: directory.appendingPathComponent("metrics-sender.service"), encoding: .utf8)
        let timer = try String(contentsOf: directory.appendingPathComponent("metrics-sender.timer"), encoding: .utf8)
        #expect(service.contains("ExecStart=/bin/true run"))
        #expect(service.contains("ProtectSystem=strict") && service.contains("NoNewPrivileges=yes"))
        // This machine has no /dev/zfs: only the pseudo devices, and nothing for systemd to warn about.
        #expect(service.contains("PrivateDevices=yes\n") && !service.contains("DeviceAllow"))
        #expect(timer.contains("RandomizedDelaySec=30") && timer.contains("OnCalendar=*-*-* *:*:00"))
        let verified = try await runCommand("/usr/bin/systemd-analyze", [
            "verify", directory.appendingPathComponent("metrics-sender.service").path, directory.appendingPathComponent("metrics-sender.timer").path,
        ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(verified.status == 0)
        // systemd warns, and still exits 0, on an unknown key: any output is a defect.
        #expect(verified.stderr.isEmpty && verified.stdout.isEmpty, "\(verified.stderr)\(verified.stdout)")
    }

    /// On a ZFS host /dev/zfs stays reachable for `zpool list` (PrivateDevices=yes hid it); every
    /// other device but the pseudo ones DevicePolicy=closed allows stays shut.
    @Test func onAZFSHostTheServiceMayOpenDevZfsAndNothingElse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await SenderBinary.run(["install", "--directory", directory.path, "--binary", "/bin/true", "--zfs", "yes"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let path = directory.appendingPathComponent("metrics-sender.service").path
        let service = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!service.contains("PrivateDevices=yes"))
        #expect(service.contains("PrivateDevices=no\nDevicePolicy=closed\nDeviceAllow=/dev/zfs rw\n"))
        let verified = try await runCommand("/usr/bin/systemd-analyze", ["verify", path], environment: ["PATH": "/usr/bin:/bin"])
        #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stderr)")
        let bad = try await SenderBinary.run(["install", "--zfs", "maybe", "--dry-run", "--binary", "/bin/true"])
        #expect(bad.status == 2 && bad.stderr.contains("--zfs"))
    }

    @Test func badFlagsAreOneLine() async throws {
        let relative = try await SenderBinary.run(["install", "--binary", "metrics-sender", "--dry-run"])
        #expect(relative.status == 2)
        #expect(relative.stderr.contains("absolute path"))
        let unwritable = try await SenderBinary.run(["install", "--directory", "/proc/nope", "--binary", "/bin/true"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("cannot write"))
    }
}
