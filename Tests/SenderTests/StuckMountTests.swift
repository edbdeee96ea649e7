import Foundation
import TestSupport
import Shared
import Testing

/// A mount whose statfs never answers (a FUSE stand-in for a hung NFS server) is reported as an
/// error observation, and the sender still finishes, within collection's deadline.
@Suite struct StuckMountTests {
    @Test func stuckMountBecomesAnErrorObservation() async throws {
        let python = "/usr/bin/python3"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support/stuck_fuse.py")
        let prerequisites = FileManager.default.fileExists(atPath: "/dev/fuse") && FileManager.default.fileExists(atPath: "/usr/bin/fusermount3")
            && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/fusepy.py")
        try #require(prerequisites, "needs /dev/fuse, fuse3 and python3-fusepy (scripts/install-deps installs them)")

        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("stuck-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let daemon = try Daemon([python, script.path, mountPoint.path])
        do {
            try await check(mountPoint)
        } catch {
            await unmount(mountPoint, daemon)
            throw error
        }
        await unmount(mountPoint, daemon)
    }

    /// Detaches the mount first, so nothing new can hang on it, then ends its daemon; both are
    /// awaited, not waited for on a thread of the cooperative pool, which other tests share.
    private func unmount(_ mountPoint: URL, _ daemon: Daemon) async {
        _ = try? await runCommand("/usr/bin/fusermount3", ["-u", "-z", mountPoint.path])
        _ = await daemon.terminate(signal: SIGKILL, timeout: 10)
        try? FileManager.default.removeItem(at: mountPoint)
    }

    private func check(_ mountPoint: URL) async throws {
        var mounted = false
        for _ in 0..<100 {
            let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
            if table.contains(" \(mountPoint.path) ") { mounted = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(mounted, "the stand-in filesystem did not mount")

        let outcome = try await SenderBinary.run([
            "collect", "--dry-run", "--collector", "disk", "--include-mount", mountPoint.path, "--stat-timeout", "1s",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        let observation = try #require(report.observations.first)
        #expect(report.observations.count == 1)
        #expect(observation.name == "disk:\(mountPoint.path)")
        #expect(observation.status == "error")
        #expect(observation.value == nil)
        #expect(observation.error?.contains("did not answer within 1s") == true, "\(observation.error ?? "")")

        // Its own timeout past collection's deadline (half of run_limit): the deadline ends the wait.
        let started = Date()
        let bounded = try await SenderBinary.run([
            "collect", "--dry-run", "--collector", "disk", "--include-mount", mountPoint.path, "--stat-timeout", "30s", "--run-limit", "5s",
        ])
        let elapsed = Date().timeIntervalSince(started)
        // About 2.5 s; a bound far above it holds on a busy machine and still catches a 30 s wait.
        #expect(elapsed < 20, "collection must end by its deadline; it took \(elapsed) s")
        let cut = try Report.makeDecoder().decode(Report.self, from: Data(bounded.stdout.utf8)).observations.first
        #expect(cut?.name == "disk:\(mountPoint.path)")
        #expect(cut?.error?.hasPrefix("not measured: collection had used its time") == true, "\(cut?.error ?? "")")
    }
}
