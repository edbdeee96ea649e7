import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

/// systemd is not init on every test machine (CI containers), so these drive the systemctl
/// path with a stand-in script that prints what `systemctl list-units --state=failed` prints.
/// The system bus, asked first, is named where none listens: systemctl is the fallback here,
/// whether or not systemd is init on the machine.
@Suite struct FailedUnitsTests {
    static let units = SenderBinary.fixtures.appendingPathComponent("units")
    static let noBus = ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket"]

    @Test func parsesSystemctlJSON() throws {
        let units = try FailedUnits.parse(try String(contentsOf: Self.units.appendingPathComponent("systemctl-failed.json"), encoding: .utf8))
        try #require(units.map(\.unit) == ["backup-db.service", "certbot-renew.timer", "mnt-archive.mount"])
        #expect(units[0] == FailedUnit(unit: "backup-db.service", load: "loaded", active: "failed", sub: "failed", description: "Nightly database backup"))
        #expect(units[2].load == "not-found")
    }

    /// systemd before 246 ignores --output=json and prints columns.
    @Test func parsesPlainColumns() throws {
        let units = try FailedUnits.parse(try String(contentsOf: Self.units.appendingPathComponent("systemctl-failed-plain.txt"), encoding: .utf8))
        try #require(units.map(\.unit) == ["backup-db.service", "certbot-renew.timer"])
        #expect(units[0].description == "Nightly database backup")
        #expect(try FailedUnits.parse("● nginx.service loaded failed failed A web server\n").first?.unit == "nginx.service")
        #expect(try FailedUnits.parse("").isEmpty)
        #expect(try FailedUnits.parse("0 loaded units listed.\n").isEmpty)
    }

    @Test func brokenJSONIsAClearError() {
        #expect(throws: UnitListError.self) { try FailedUnits.parse("[{\"unit\": 5}") }
    }

    @Test func manyUnitsAreBounded() throws {
        let many = "[" + (0..<1000).map { "{\"unit\":\"u\($0).service\"}" }.joined(separator: ",") + "]"
        #expect(try FailedUnits.parse(many).count == FailedUnits.limit)
    }

    /// A stand-in systemctl that prints the file at $UNITS_FILE, and checks it was asked for failed units.
    static func standIn() async throws -> URL {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("systemctl-\(UUID().uuidString.prefix(8))")
        let source = script.appendingPathExtension("txt")
        try "#!/bin/sh\n[ \"$*\" = \"\(FailedUnits.arguments.joined(separator: " "))\" ] || exit 9\ncat \"$(dirname \"$0\")/units-$(basename \"$0\")\"\n"
            .write(to: source, atomically: true, encoding: .utf8)
        // Made executable by a child: see ZpoolTests for why.
        let installed = try await runCommand("/usr/bin/install", ["-m", "755", source.path, script.path])
        #expect(installed.status == 0, "\(installed.stderr)")
        try? FileManager.default.removeItem(at: source)
        return script
    }

    /// Failed units become `unit:NAME` checks with status failed; once a unit is no longer
    /// failed, the next run reports it ok once, so its alert recovers.
    @Test func failedUnitsAlertAndRecover() async throws {
        let script = try await Self.standIn()
        let list = script.deletingLastPathComponent().appendingPathComponent("units-\(script.lastPathComponent)")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("units-state-\(UUID().uuidString.prefix(8))")
        defer { [script, list, state].forEach { try? FileManager.default.removeItem(at: $0) } }
        func run(_ fixture: String) async throws -> [Observation] {
            try? FileManager.default.removeItem(at: list)
            try FileManager.default.copyItem(at: Self.units.appendingPathComponent(fixture), to: list)
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "unit", "--systemctl", script.path, "--state-dir", state.path],
                                                     environment: Self.noBus)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }
        let failed = try await run("systemctl-failed.json")
        try #require(failed.map(\.name) == ["unit:backup-db.service", "unit:certbot-renew.timer", "unit:mnt-archive.mount"])
        #expect(failed.allSatisfy { $0.kind == "unit" && $0.status == "failed" })
        #expect(failed[0].details?["description"] == .string("Nightly database backup"))

        let recovered = try await run("systemctl-failed-plain.txt")
        #expect(recovered.map(\.name) == ["unit:backup-db.service", "unit:certbot-renew.timer", "unit:mnt-archive.mount"])
        #expect(recovered.map(\.status) == ["failed", "failed", "ok"])

        #expect(try await run("systemctl-none.json").map(\.status) == ["ok", "ok"])
        #expect(try await run("systemctl-none.json").isEmpty)
    }

    @Test func aFailingSystemctlIsAnErrorObservation() async throws {
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "unit", "--systemctl", "/bin/false"], environment: Self.noBus)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8))
        #expect(report.observations.map(\.status) == ["error"])
    }

    /// Where systemd is not init (this kind of machine), the default collectors skip units quietly.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/run/systemd/system"), "systemd is init on this machine"))
    func noSystemdIsQuietUnlessAskedFor() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("units-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let quiet = try await SenderBinary.run(["collect", "--dry-run", "--state-dir", state.path])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        let all = try Report.makeDecoder().decode(Report.self, from: Data(quiet.stdout.utf8))
        #expect(!all.observations.isEmpty && !all.observations.contains { $0.kind == "unit" })
        let asked = try await SenderBinary.run(["collect", "--dry-run", "--collector", "unit", "--state-dir", state.path])
        let report = try Report.makeDecoder().decode(Report.self, from: Data(asked.stdout.utf8))
        #expect(report.observations.first?.error?.contains("not running as init") == true)
    }
}
