import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

/// The unit collector asks systemd on the system bus. systemd is not PID 1 on test machines, so a
/// real dbus-daemon runs on a private socket, and Tests/Support/systemd1_standin.c, built here
/// against libsystemd's sd-bus, serves systemd's documented ListUnitsFiltered on it. The sender
/// finds that bus through DBUS_SYSTEM_BUS_ADDRESS, as sd_bus_open_system does.
@Suite struct FailedUnitsBusTests {
    /// A private bus and, once `standIn()` ran, systemd's stand-in on it; `stop()` ends both.
    final class Bus {
        let directory: URL
        let daemon: Daemon
        var standIn: Daemon?
        var address: String { "unix:path=\(directory.path)/system_bus_socket" }
        var unitsFile: URL { directory.appendingPathComponent("units.tsv") }
        var callsFile: URL { directory.appendingPathComponent("calls.txt") }

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("bus-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("bus.conf")
            try """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>system</type>
                  <listen>unix:path=\(directory.path)/system_bus_socket</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_destination="*"/>
                    <allow receive_sender="*"/>
                  </policy>
                </busconfig>
                """.write(to: config, atomically: true, encoding: .utf8)
            let printed = directory.appendingPathComponent("address")
            daemon = try Daemon(["/usr/bin/dbus-daemon", "--config-file=\(config.path)", "--nofork", "--nopidfile", "--print-address=1"],
                                stdout: printed.path, stderr: directory.appendingPathComponent("dbus.log").path)
            try await Self.waitFor(printed, toContain: "unix:", what: "dbus-daemon")
        }

        /// Starts systemd's stand-in, serving the units in `unitsFile`.
        func startStandIn() async throws {
            try "".write(to: unitsFile, atomically: true, encoding: .utf8)
            let binary = directory.appendingPathComponent("systemd1_standin")
            let source = SenderBinary.fixtures.deletingLastPathComponent().appendingPathComponent("Support/systemd1_standin.c")
            let built = try await runCommand("/usr/bin/cc", ["-o", binary.path, source.path, "-lsystemd"])
            try #require(built.status == 0, "cc: \(built.stderr)")
            let said = directory.appendingPathComponent("standin.out")
            standIn = try Daemon([binary.path, unitsFile.path, callsFile.path], stdout: said.path,
                                 stderr: directory.appendingPathComponent("standin.log").path, environment: ["DBUS_SYSTEM_BUS_ADDRESS": address])
            try await Self.waitFor(said, toContain: "ready", what: "the systemd stand-in")
        }

        /// Waits for a child to say it is ready; retried, not timed.
        static func waitFor(_ file: URL, toContain text: String, what: String) async throws {
            for _ in 0..<200 {
                if let said = try? String(contentsOf: file, encoding: .utf8), said.contains(text) { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            try #require(Bool(false), "\(what) did not start")
        }

        func units(_ lines: [String]) throws {
            try (lines.joined(separator: "\n") + "\n").write(to: unitsFile, atomically: true, encoding: .utf8)
        }

        /// `collect --dry-run --collector unit` with this bus as the system bus.
        func collect(_ extra: [String] = []) async throws -> [Observation] {
            let outcome = try await SenderBinary.run(
                ["collect", "--dry-run", "--collector", "unit", "--state-dir", directory.appendingPathComponent("state").path] + extra,
                environment: ["DBUS_SYSTEM_BUS_ADDRESS": address])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        }

        func stop() {
            standIn?.stop()
            daemon.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Failed units become `unit:NAME` checks with status failed, with systemd's own states and
    /// description; once systemd no longer lists one as failed, the next run reports it ok once.
    @Test func failedUnitsComeFromSystemdOnTheBus() async throws {
        let bus = try await Bus()
        defer { bus.stop() }
        try await bus.startStandIn()
        try bus.units([
            "backup-db.service\tNightly database backup\tloaded\tfailed\tfailed",
            "nginx.service\tA high performance web server\tloaded\tactive\trunning",
            "mnt-archive.mount\t/mnt/archive\tnot-found\tfailed\tfailed",
        ])
        let failed = try await bus.collect()
        try #require(failed.map(\.name) == ["unit:backup-db.service", "unit:mnt-archive.mount"], "\(failed)")
        #expect(failed.allSatisfy { $0.kind == "unit" && $0.status == "failed" })
        #expect(failed[0].details == ["description": .string("Nightly database backup"), "load": .string("loaded"),
                                      "active": .string("failed"), "sub": .string("failed")])
        #expect(failed[1].details?["load"] == .string("not-found"))
        // Asked once, for exactly the failed state.
        #expect(try String(contentsOf: bus.callsFile, encoding: .utf8) == "failed\n")

        try bus.units([
            "backup-db.service\tNightly database backup\tloaded\tactive\texited",
            "mnt-archive.mount\t/mnt/archive\tnot-found\tfailed\tfailed",
        ])
        let recovered = try await bus.collect()
        #expect(recovered.map(\.name) == ["unit:mnt-archive.mount", "unit:backup-db.service"])
        #expect(recovered.map(\.status) == ["failed", "ok"])
        try bus.units([])
        #expect(try await bus.collect().map(\.status) == ["ok"])
        #expect(try await bus.collect().isEmpty)
    }

    /// A bus where systemd does not answer, and a systemctl that fails as well: one error line
    /// that says both.
    @Test func aBusWithoutSystemdIsAClearError() async throws {
        let bus = try await Bus()
        defer { bus.stop() }
        let observations = try await bus.collect(["--systemctl", "/bin/false"])
        try #require(observations.map(\.status) == ["error"])
        let error = observations[0].error ?? ""
        #expect(error.contains("/bin/false"), "\(error)")
        #expect(error.contains("the system bus before it: systemd's ListUnitsFiltered failed: org.freedesktop.DBus.Error.ServiceUnknown"), "\(error)")
    }

    /// A bus daemon that accepts the connection and then never answers (stopped with SIGSTOP)
    /// costs no more than collection's deadline: sd-bus's own wait for the connection has none.
    @Test func aBusThatNeverAnswersIsGivenUpAtTheDeadline() async throws {
        let bus = try await Bus()
        defer {
            kill(bus.daemon.pid, SIGCONT)
            bus.stop()
        }
        try #require(kill(bus.daemon.pid, SIGSTOP) == 0)
        let started = Date()
        let observations = try await bus.collect(["--run-limit", "6s", "--systemctl", "/bin/false"])
        let elapsed = Date().timeIntervalSince(started)
        // About 3 s; a bound far above it holds on a busy machine and still catches sd-bus's own
        // 90 s wait.
        #expect(elapsed < 20, "collection must end by its deadline; it took \(elapsed) s")
        #expect(observations.first?.error?.contains("the system bus before it: cannot connect to the system bus: Connection timed out") == true,
                "\(observations)")
    }

    /// No systemctl to fall back on, and no bus at the address named: one error line.
    @Test func anUnreachableBusIsAClearError() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bus-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let booted = FileManager.default.fileExists(atPath: "/run/systemd/system")
        // Where systemd is init the installed systemctl would answer instead: name one that fails.
        let outcome = try await SenderBinary.run(
            ["collect", "--dry-run", "--collector", "unit", "--state-dir", state.path] + (booted ? ["--systemctl", "/bin/false"] : []),
            environment: ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=\(state.path)/no-bus-here"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let observations = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        #expect(observations.map(\.status) == ["error"])
        #expect(observations.first?.error?.contains("cannot connect to the system bus: No such file or directory") == true, "\(observations)")
    }
}
