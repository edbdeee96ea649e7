import Foundation
import Shared
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One odd observation never costs the whole report: mount paths any user can choose (a tab,
/// bytes that are not UTF-8, 250 characters) stay visible under a valid, stable name, and an
/// observation that still breaks the rules (here raid arrays a fixture names badly) is dropped
/// with one warning line each. The exact observations: the trees' expected.json (FixtureTreeTests).
@Suite struct OddObservationTests {
    func tree(_ name: String) -> String { SenderBinary.fixtures.appendingPathComponent(name).path }

    func dryRun(_ tree: String) async throws -> (report: Report, stderr: String) {
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--root", tree, "--host", "fixture"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return (try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)), outcome.stderr)
    }

    @Test func oddMountPathsGiveValidStableNames() async throws {
        let first = try await dryRun(tree("disk-odd-mounts"))
        #expect(first.stderr.isEmpty, "\(first.stderr)")
        #expect(first.report.observations.count == 6)
        try first.report.validate()
        let names = first.report.observations.map(\.name)
        #expect(names.contains(#"disk:/mnt/tab\x09name"#))
        #expect(names.contains(#"disk:/mnt/bad\xFF\xFEname"#))
        #expect(names.allSatisfy { $0.count <= 200 })
        // Two long paths that differ only at the end keep two names.
        #expect(names.filter { $0.hasPrefix("disk:/mnt/aaaa") }.count == 2)
        #expect(try await dryRun(tree("disk-odd-mounts")).report.observations.map(\.name) == names)
    }

    /// The name escapes the bytes, statvfs gets them as they are: the mount is measured.
    @Test func aMountPathThatIsNotUTF8IsStillMeasured() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("odd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("proc/self"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("mnt"), withIntermediateDirectories: true)
        let directory = Array(root.appendingPathComponent("mnt").path.utf8) + Array("/bad".utf8) + [0xFF] + Array("dir".utf8) + [0]
        #expect(directory.withUnsafeBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) } == 0)
        let line = Array("50 1 0:60 / /mnt/bad".utf8) + [0xFF] + Array("dir rw,nosuid - fuse.sshfs eve@host:/ rw\n".utf8)
        try Data(line).write(to: root.appendingPathComponent("proc/self/mountinfo"))
        let (report, stderr) = try await dryRun(root.path)
        #expect(stderr.isEmpty, "\(stderr)")
        let observation = try #require(report.observations.first)
        #expect(observation.name == #"disk:/mnt/bad\xFFdir"#)
        #expect(observation.status == nil && observation.error == nil && observation.value != nil, "\(observation)")
    }

    @Test func anInvalidObservationIsDroppedWithOneLineEach() async throws {
        let (report, stderr) = try await dryRun(tree("raid-odd-names"))
        #expect(report.observations.map(\.name) == ["raid:md0"])
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 3, "\(stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("metrics-sender: dropped the observation 'raid:md") }, "\(stderr)")
        #expect(lines.contains { $0.contains(#"'raid:md1\x7F'"#) }, "\(stderr)")
    }

    /// Sending, not printing: the report is still valid and goes out; the closed port makes it
    /// exit 3 (unreachable), where an invalid report exits 2 before any attempt.
    @Test(arguments: ["disk-odd-mounts", "raid-odd-names"])
    func theReportIsStillSent(tree name: String) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("odd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let outcome = try await SenderBinary.run(["collect", "--root", tree(name), "--host", "fixture", "--url", "http://127.0.0.1:9", "--timeout", "1s"],
                                                 environment: ["METRICS_STATE_DIR": state.path])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("backend unreachable"), "\(outcome.stderr)")
    }
}
