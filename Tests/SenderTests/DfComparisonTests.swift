import Foundation
import Shared
import TestSupport
import Testing

/// On the machine running the tests, our disk observations agree with `df -P`.
@Suite struct DfComparisonTests {
    struct DfLine {
        var source: String
        var type: String
        var percent: Double
        var mountPoint: String
    }

    /// `df -P -T`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on (mount point may hold spaces).
    func dfLines() throws -> [DfLine] {
        let text = String(decoding: try runCapturing("/bin/df", ["-P", "-T"]).stdout, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
            guard fields.count == 7, fields[5].hasSuffix("%"), let percent = Double(fields[5].dropLast()) else { return nil }
            return DfLine(source: String(fields[0]), type: String(fields[1]), percent: percent, mountPoint: String(fields[6]))
        }
    }

    @Test func sameMountsAndPercentagesAsDf() async throws {
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "disk"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        let ours = Dictionary(uniqueKeysWithValues: report.observations.compactMap { observation -> (String, Double)? in
            guard let mount = observation.details?["mountPoint"]?.stringValue, let value = observation.value else { return nil }
            return (mount, value)
        })
        // Mounts df shows that are real filesystems by our rules (df also lists tmpfs and friends).
        let pseudo: Set<String> = ["tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "ramfs", "efivarfs", "fuse.lxcfs", "nsfs", "autofs", "iso9660", "erofs"]
        let theirs = try dfLines().filter { !pseudo.contains($0.type) && !$0.mountPoint.hasPrefix("/dev/") && $0.mountPoint != "/dev" }
        #expect(!theirs.isEmpty, "df -P shows no real filesystem on this machine")
        #expect(Set(ours.keys) == Set(theirs.map(\.mountPoint)))
        for line in theirs {
            // Both round up; a write between the two reads can move one point at most.
            let value = try #require(ours[line.mountPoint], "\(line.mountPoint) missing from our report")
            #expect(abs(value - line.percent) <= 1, "\(line.mountPoint): ours \(value)%, df \(line.percent)%")
        }
    }
}
