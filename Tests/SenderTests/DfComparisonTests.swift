import Foundation
import Shared
import TestSupport
import Testing

/// On the machine running the tests, our disk and inode observations agree with `df -P` and `df -P -i`.
@Suite struct DfComparisonTests {
    struct DfLine {
        var source: String
        var type: String
        var percent: Double
        var mountPoint: String
    }

    /// Without FUSE mounts: the stuck-mount test's one, mounted meanwhile, would hang df.
    /// `df -P -T`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on (mount point may hold spaces).
    func dfLines(inodes: Bool = false) throws -> [DfLine] {
        let text = String(decoding: try runCapturing("/bin/df", ["-P", "-T", "-x", "fuse"] + (inodes ? ["-i"] : [])).stdout, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
            guard fields.count == 7, fields[5].hasSuffix("%"), let percent = Double(fields[5].dropLast()) else { return nil }
            return DfLine(source: String(fields[0]), type: String(fields[1]), percent: percent, mountPoint: String(fields[6]))
        }
    }

    /// Our values of one kind by mount point.
    func ours(_ kind: ObservationKind) async throws -> [String: Double] {
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "disk"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        return Dictionary(uniqueKeysWithValues: report.observations.compactMap { observation -> (String, Double)? in
            guard observation.kind == kind.rawValue, let mount = observation.details?["mountPoint"]?.stringValue, let value = observation.value else { return nil }
            return (mount, value)
        })
    }

    @Test func sameMountsAndPercentagesAsDf() async throws {
        let ours = try await ours(.disk)
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

    /// Inodes where the filesystem has a fixed count: df shows `-` for the others (btrfs).
    @Test func sameInodeUseAsDf() async throws {
        let ours = try await ours(.inodes)
        let pseudo: Set<String> = ["tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup", "cgroup2", "ramfs", "efivarfs", "fuse.lxcfs", "nsfs", "autofs", "iso9660", "erofs"]
        let theirs = try dfLines(inodes: true).filter { !pseudo.contains($0.type) && !$0.mountPoint.hasPrefix("/dev/") && $0.mountPoint != "/dev" }
        #expect(!theirs.isEmpty, "df -P -i shows no filesystem with inodes on this machine")
        #expect(Set(ours.keys) == Set(theirs.map(\.mountPoint)))
        for line in theirs {
            let value = try #require(ours[line.mountPoint], "\(line.mountPoint) missing from our report")
            // df rounds up to whole percents, we to a tenth.
            #expect(value <= line.percent && line.percent - value < 1.1, "\(line.mountPoint): ours \(value)%, df \(line.percent)%")
        }
    }
}
