import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

/// Collection ends within half of run_limit, so the report always has the other half to go out.
@Suite struct CollectionDeadlineTests {
    /// A zpool that never answers is ended at the deadline (2.5 s of a 5 s run limit, not its own
    /// 5 s), and the collectors after it are not run: one warning line names them.
    @Test func collectorsPastTheDeadlineAreSkippedAndNamed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deadline-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("zpool.txt"), script = directory.appendingPathComponent("zpool")
        try "#!/bin/sh\nexec sleep 60\n".write(to: source, atomically: true, encoding: .utf8)
        // Made executable by a child: see ZpoolTests for why.
        let installed = try await runCommand("/usr/bin/install", ["-m", "755", source.path, script.path])
        try #require(installed.status == 0, "\(installed.stderr)")

        let outcome = try await SenderBinary.run([
            "collect", "--dry-run", "--run-limit", "5s", "--state-dir", directory.path + "/state", "--zpool", script.path,
            "--collector", "memory", "--collector", "zpool", "--collector", "load", "--collector", "cert", "--tls-file", "/etc/hostname",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let observations = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        // The skipped collectors report nothing: a check made up for them would go stale and alert.
        try #require(observations.map(\.name) == ["memory", "zpool"])
        #expect(observations[0].value != nil)
        // Ended at the deadline, short of its own 5 s (how short depends on when its turn came).
        let zpool = observations[1].error ?? ""
        #expect(zpool.contains("did not finish within") && !zpool.contains("within 5s"), "\(zpool)")
        #expect(outcome.stderr.contains("collection ran past 2.5s (half of run_limit); skipped: load, cert"), "\(outcome.stderr)")
    }
}
