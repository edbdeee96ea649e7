import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

/// smartctl's JSON as 7.3 prints it for a healthy SATA disk, a failing one and an NVMe drive.
@Suite struct SmartctlTests {
    static let fixtures = SenderBinary.fixtures.appendingPathComponent("smart")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func readsHealthAndSectors() throws {
        let healthy = try #require(try Smartctl.health(try Self.text("sda.json"), device: "/dev/sda"))
        #expect(healthy == SmartHealth(device: "/dev/sda", model: "WDC WD40EFRX-68N32N0", passed: true, reallocatedSectors: 0, pendingSectors: 0, temperatureCelsius: 34))
        let failing = try #require(try Smartctl.health(try Self.text("sdb.json"), device: "/dev/sdb"))
        #expect(failing.passed == false)
        #expect(failing.badSectors == 3896 + 24)
        let nvme = try #require(try Smartctl.health(try Self.text("nvme0.json"), device: "/dev/nvme0"))
        #expect(nvme.mediaErrors == 0)
        #expect(nvme.reallocatedSectors == nil)
    }

    @Test func scansDevicesAndRefusesOldSmartctl() throws {
        #expect(try Smartctl.devices(try Self.text("scan.json")).map(\.name) == ["/dev/sda", "/dev/sdb", "/dev/nvme0"])
        // This machine's smartctl 7.3 on a virtual disk it cannot read: no devices key at all.
        #expect(try Smartctl.devices(try Self.text("scan-no-devices.json")).isEmpty)
        #expect(throws: SmartctlError.self) { try Smartctl.devices(try Self.text("scan-smartctl6.txt")) }
        #expect(throws: SmartctlError.self) { try Smartctl.devices(#"{"smartctl": {"version": [6, 6]}, "devices": []}"#) }
        #expect(throws: SmartctlError.self) { try Smartctl.health("{", device: "/dev/sda") }
        // A sleeping disk (-n standby) says nothing about its health: no observation.
        #expect(try Smartctl.health(#"{"device": {"name": "/dev/sdc"}, "power_mode": "STANDBY"}"#, device: "/dev/sdc") == nil)
    }

    /// A stand-in smartctl: `--scan` prints scan.json, a device prints `<device>-<type>.json` (or
    /// `<device>.json` when there is none for its type) and exits with the status in the matching
    /// `.status` file when there is one. `answers`: file in the directory ← fixture.
    static func standIn(in directory: URL, answers: [String: String] = [:]) async throws -> URL {
        let standard = ["scan.json": "scan.json", "sda.json": "sda.json", "sdb.json": "sdb.json", "nvme0.json": "nvme0.json", "sdb.status": "24"]
        for (name, source) in standard.merging(answers, uniquingKeysWith: { $1 }) {
            let target = directory.appendingPathComponent(name)
            if name.hasSuffix(".status") {
                try "\(source)\n".write(to: target, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.copyItem(at: fixtures.appendingPathComponent(source), to: target)
            }
        }
        let script = directory.appendingPathComponent("smartctl")
        let source = directory.appendingPathComponent("smartctl.txt")
        try """
            #!/bin/sh
            here=$(dirname "$0")
            [ "$1" = "--scan" ] && exec cat "$here/scan.json"
            [ "$*" = "--json -H -A -n standby -d $7 $8" ] || exit 9
            name=$(basename "$8")
            [ -f "$here/$name-$7.json" ] && name="$name-$7"
            cat "$here/$name.json"
            [ -f "$here/$name.status" ] && exit "$(cat "$here/$name.status")"
            exit 0
            """.write(to: source, atomically: true, encoding: .utf8)
        let installed = try await runCommand("/usr/bin/install", ["-m", "755", source.path, script.path])
        try #require(installed.status == 0, "\(installed.stderr)")
        return script
    }

    @Test func disksBecomeChecksAndAreAskedOnlyEverySoOften() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smart-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("state"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try await Self.standIn(in: directory)
        func run() async throws -> [Observation] {
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "smart", "--smartctl", script.path, "--state-dir", directory.path + "/state"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }
        let first = try await run()
        try #require(first.map(\.name) == ["smart:sda", "smart:sdb", "smart:nvme0"])
        #expect(first.map(\.status) == ["ok", "failed", "ok"])
        #expect(first.map(\.value) == [0, 3920, 0])
        #expect(first[1].details?["reallocatedSectors"] == .number(3896))
        #expect(first[0].details?["temperatureCelsius"] == .number(34))

        // Within `smart.every` the disks are not asked again: the first answer is repeated.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("sdb.json"))
        #expect(try await run() == first)
    }

    /// A MegaRAID controller's disks all sit at `/dev/bus/0`, told apart by `-d megaraid,N`: each is
    /// a check of its own, named with its type, and smartctl is asked with that type.
    @Test func namesDisksBehindARaidControllerByTheirType() throws {
        let devices = try Smartctl.devices(try Self.text("scan-megaraid.json"))
        #expect(devices.map(\.type) == ["scsi", "megaraid,1", "megaraid,2", "megaraid,3"])
        #expect(Smartctl.checkNames(devices) == ["smart:sda", "smart:bus/0:megaraid,1", "smart:bus/0:megaraid,2", "smart:bus/0:megaraid,3"])
        // A plain disk keeps its short name; a name listed twice keeps its type even without a number.
        #expect(Smartctl.checkNames(try Smartctl.devices(try Self.text("scan.json"))) == ["smart:sda", "smart:sdb", "smart:nvme0"])
        let twice = [Smartctl.ScanDevice(name: "/dev/sdc", type: "sat"), Smartctl.ScanDevice(name: "/dev/sdc", type: "scsi")]
        #expect(Smartctl.checkNames(twice) == ["smart:sdc:sat", "smart:sdc:scsi"])
    }

    @Test func asksEachDiskBehindARaidControllerWithItsType() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smart-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try await Self.standIn(in: directory, answers: [
            "scan.json": "scan-megaraid.json", "0-megaraid,1.json": "sda.json", "0-megaraid,2.json": "sdb.json",
            "0-megaraid,2.status": "24", "0-megaraid,3.json": "sda.json",
        ])
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "smart", "--smartctl", script.path, "--state-dir", directory.path + "/state"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
        let observations = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        #expect(observations.map(\.name) == ["smart:sda", "smart:bus/0:megaraid,1", "smart:bus/0:megaraid,2", "smart:bus/0:megaraid,3"])
        #expect(observations.map(\.status) == ["ok", "ok", "failed", "ok"])
    }

    @Test func aMissingSmartctlIsQuietUnlessNamed() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("smart-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "smart", "--smartctl", "/nonexistent/smartctl", "--state-dir", state.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.map(\.status) == ["error"])
    }

    /// Raw values near Int.max (broken firmware) saturate the sum rather than trap.
    @Test func badSectorsSaturate() {
        let health = SmartHealth(device: "/dev/sda", model: nil, passed: true, reallocatedSectors: Int.max, pendingSectors: 1, temperatureCelsius: nil)
        #expect(health.badSectors == Int.max)
    }
}
