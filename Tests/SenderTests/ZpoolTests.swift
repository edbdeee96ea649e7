import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

@Suite struct ZpoolTests {
    static let listing = "tank\t3985729650688\t1674006453043\t2311723197645\t42\tONLINE\n"
        + "backup\t1992864825344\t1900000000000\t92864825344\t95\tDEGRADED\n"

    @Test func parsesExactNumbers() {
        let pools = Zpool.parse(Self.listing)
        #expect(pools.count == 2)
        #expect(pools[0] == ZpoolStatus(name: "tank", sizeBytes: 3_985_729_650_688, allocBytes: 1_674_006_453_043, freeBytes: 2_311_723_197_645, capacityPercent: 42, health: "ONLINE"))
        #expect(pools[1].health == "DEGRADED")
    }

    @Test(arguments: ["", "tank", "tank\t1\t2\t3\t4", "tank\tx\t2\t3\t4\tONLINE", "\t1\t2\t3\t4\tONLINE", "tank\t1\t2\t3\tnan\tONLINE"])
    func malformedLinesAreSkipped(line: String) {
        #expect(Zpool.parse(line).isEmpty)
    }

    /// ZFS is not installed here; a script printing what `zpool list -H -p` prints stands in for it.
    @Test func poolsBecomeObservationsAndUnhealthyOnesAProblem() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("zpool-\(UUID().uuidString.prefix(8))")
        let source = script.appendingPathExtension("txt")
        let quoted = Self.listing.replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
        try "#!/bin/sh\n[ \"$*\" = \"\(Zpool.arguments.joined(separator: " "))\" ] || exit 9\nprintf '\(quoted)'\n".write(to: source, atomically: true, encoding: .utf8)
        // Made executable by a child process: had this process written it, a child forked meanwhile
        // by another test could still hold it open for writing, and running it would fail (ETXTBSY).
        let installed = try await runCommand("/usr/bin/install", ["-m", "755", source.path, script.path])
        #expect(installed.status == 0, "\(installed.stderr)")
        defer {
            try? FileManager.default.removeItem(at: script)
            try? FileManager.default.removeItem(at: source)
        }

        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "zpool", "--zpool", script.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        try #require(report.observations.map(\.name) == ["zpool:tank", "zpool:backup"], "\(report.observations.map { $0.error ?? "" })")
        #expect(report.observations.map(\.status) == ["ok", "degraded"])
        #expect(report.observations[1].value == 95)
        #expect(report.observations[1].details?["health"] == .string("DEGRADED"))
    }

    @Test func aFailingZpoolIsAnErrorObservation() async throws {
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "zpool", "--zpool", "/bin/false"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.count == 1)
        #expect(report.observations.first?.status == "error")
    }
}
