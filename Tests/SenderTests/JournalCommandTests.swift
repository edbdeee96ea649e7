import Foundation
import Shared
import TestSupport
import Testing

/// `metrics-sender journal` on real journal files written by systemd-journal-remote.
@Suite struct JournalCommandTests {
    /// A fixture journal and a state directory of one test's own.
    struct Run {
        let fixture: JournalFixture
        let state: URL

        init() throws {
            fixture = try JournalFixture.make()
            state = fixture.directory.deletingLastPathComponent().appendingPathComponent("state-\(UUID().uuidString.prefix(8))")
        }

        var cursorFile: URL { state.appendingPathComponent("journal.cursor") }

        func sender(_ arguments: [String], environment: [String: String] = [:]) async throws -> SenderBinary.Outcome {
            try await SenderBinary.run(["journal", "--directory", fixture.directory.path] + arguments,
                                 environment: ["METRICS_STATE_DIR": state.path, "METRICS_HOST": JournalFixture.host].merging(environment) { $1 })
        }

        /// The entries a dry run prints; fails the test on anything but clean NDJSON.
        func dryRun(_ arguments: [String] = []) async throws -> [JournalEntry] {
            let outcome = try await sender(["--dry-run"] + arguments)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try Self.decode(outcome.stdout)
        }

        static func decode(_ ndjson: String) throws -> [JournalEntry] {
            if !ndjson.isEmpty { #expect(ndjson.hasSuffix("\n")) }
            return try ndjson.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
                try JSONDecoder().decode(JournalEntry.self, from: Data($0.utf8))
            }
        }

        func write(cursor: String) throws {
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            try (cursor + "\n").write(to: cursorFile, atomically: true, encoding: .utf8)
        }

        func remove() {
            fixture.remove()
            try? FileManager.default.removeItem(at: state)
        }
    }

    @Test func dryRunPrintsEveryRecentEntryFromBothFilesAndBoots() async throws {
        let run = try Run()
        defer { run.remove() }
        let entries = try await run.dryRun()
        let recent = run.fixture.recent
        #expect(entries.map(\.realtimeUsec) == recent.map(\.realtime))
        #expect(!entries.contains { entry in run.fixture.old.contains { $0.realtime == entry.realtimeUsec } })
        #expect(Set(entries.compactMap(\.bootId)) == [JournalFixture.bootA, JournalFixture.bootB])
        // Two files: each has its own sequence number id in its cursors.
        let seqnumIDs = Set(entries.compactMap { $0.cursor.split(separator: ";").first { $0.hasPrefix("s=") } })
        #expect(seqnumIDs.count == 2)
        #expect(Set(entries.map(\.cursor)).count == entries.count)

        for (entry, source) in zip(entries, recent) {
            #expect(entry.host == JournalFixture.host)
            #expect(entry.bootId == source.boot)
            #expect(entry.cursor.contains("b=\(source.boot)"))
            #expect(entry.unit == source.unit)
            #expect(entry.identifier == source.text("SYSLOG_IDENTIFIER"))
            #expect(entry.pid == source.text("_PID").flatMap { Int($0) })
            #expect(entry.priority == source.text("PRIORITY").flatMap { Int($0) })
            #expect(entry.transport == source.text("_TRANSPORT"))
            #expect(entry.containerName == source.text("CONTAINER_NAME"))
            #expect(entry.containerId == source.text("CONTAINER_ID"))
            #expect(entry.fields == nil)
            let message = try #require(source.bytes("MESSAGE"))
            if message == JournalFixture.binaryMessage {
                #expect(entry.message == #"bad \xff\xfe bytes \xc3("#)
                #expect(entry.messageBase64 == Data(message).base64EncodedString())
            } else {
                #expect(entry.message == String(decoding: message, as: UTF8.self))
                #expect(entry.messageBase64 == nil)
            }
        }
        #expect(entries.contains { $0.message == JournalFixture.escapedMessage })
        #expect(entries.contains { $0.message == JournalFixture.longMessage }, "a message above 64 KiB comes whole")
        #expect(entries.contains { $0.containerName == "web-app" && $0.containerId == "0123456789ab" })
    }

    @Test func theSameCursorsAsJournalctl() async throws {
        let run = try Run()
        defer { run.remove() }
        let entries = try await run.dryRun()
        let journalctl = try await runCommand("/usr/bin/journalctl", ["-D", run.fixture.directory.path, "-o", "json", "--output-fields=_BOOT_ID"])
        #expect(journalctl.status == 0, "\(journalctl.stderr)")
        let exported = journalctl.stdout
        let lines = exported.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let recentCursors = lines.filter { (Int64($0["__REALTIME_TIMESTAMP"] as? String ?? "") ?? 0) >= run.fixture.recent[0].realtime }
            .compactMap { $0["__CURSOR"] as? String }
        #expect(lines.count == run.fixture.entries.count)
        #expect(entries.map(\.cursor) == recentCursors)
    }

    @Test func firstRunStartsTheConfiguredTimeAgoNeverAtTheBeginning() async throws {
        let run = try Run()
        defer { run.remove() }
        let recentCount = run.fixture.recent.count
        #expect(try await run.dryRun().count == recentCount)
        await #expect(try run.dryRun(["--since", "150m"]).count == recentCount + 1, "the entry await two hours old")
        #expect(try await run.dryRun(["--since", "1d"]).count == run.fixture.entries.count)
        #expect(try await run.dryRun(["--since", "0s"]).isEmpty)
    }

    @Test(arguments: [
        (["--unit", "nginx.service"], "unit nginx.service"),
        (["--unit", "nginx", "--unit", "sshd"], "unit nginx.service or sshd.service"),
        (["--exclude-unit", "docker.service"], "not docker.service"),
        (["--max-priority", "4"], "priority ≤ 4"),
        (["--max-priority", "warning"], "priority ≤ 4"),
        (["--max-priority", "info"], "priority ≤ 6, none counts as 6"),
        (["--identifier", "sshd"], "identifier sshd"),
        (["--unit", "docker.service", "--identifier", "web-app"], "docker.service and web-app"),
        (["--unit", "nginx.service", "--identifier", "sshd"], "nothing"),
        (["--exclude-container", "runner-"], "not runner- containers"),
    ])
    func filters(arguments: [String], meaning: String) async throws {
        let run = try Run()
        defer { run.remove() }
        let expected = run.fixture.recent.filter { entry in
            let unit = entry.unit, identifier = entry.text("SYSLOG_IDENTIFIER")
            let priority = entry.text("PRIORITY").flatMap { Int($0) } ?? 6
            switch meaning {
            case "unit nginx.service": return unit == "nginx.service"
            case "unit nginx.service or sshd.service": return unit == "nginx.service" || unit == "sshd.service"
            case "not docker.service": return unit != "docker.service"
            case "priority ≤ 4": return priority <= 4
            case "priority ≤ 6, none counts as 6": return priority <= 6
            case "identifier sshd": return identifier == "sshd"
            case "docker.service and web-app": return unit == "docker.service" && identifier == "web-app"
            case "nothing": return false
            case "not runner- containers": return !(entry.text("CONTAINER_NAME") ?? "").hasPrefix("runner-")
            default: Issue.record("unknown filter \(meaning)"); return false
            }
        }
        let entries = try await run.dryRun(arguments)
        #expect(entries.map(\.realtimeUsec) == expected.map(\.realtime), "\(meaning)")
        #expect(!expected.isEmpty || meaning == "nothing")
        #expect(expected.count < run.fixture.recent.count, "the filter must leave something out")
    }

    @Test func filtersFromTheConfigFile() async throws {
        let run = try Run()
        defer { run.remove() }
        let config = run.fixture.directory.deletingLastPathComponent().appendingPathComponent("journal-\(UUID().uuidString.prefix(8)).toml")
        defer { try? FileManager.default.removeItem(at: config) }
        try """
            [container]
            exclude = ["web-"]

            [journal]
            exclude_units = ["cron.service"]
            max_priority = 5
            fields = ["_COMM"]
            """.write(to: config, atomically: true, encoding: .utf8)
        let entries = try await run.dryRun(["--config", config.path])
        let expected = run.fixture.recent.filter {
            $0.unit != "cron.service" && ($0.text("PRIORITY").flatMap { Int($0) } ?? 6) <= 5
                && !($0.text("CONTAINER_NAME") ?? "").hasPrefix("web-")
        }
        #expect(entries.map(\.realtimeUsec) == expected.map(\.realtime))
        #expect(entries.first?.fields == ["_COMM": "sshd"])

        try "[journal]\nmax_priorty = 3\n".write(to: config, atomically: true, encoding: .utf8)
        let typo = try await run.sender(["--dry-run", "--config", config.path])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown setting 'journal.max_priorty'"), "\(typo.stderr)")
    }

    @Test func journalFieldShipsAllowListedFields() async throws {
        let run = try Run()
        defer { run.remove() }
        let entries = try await run.dryRun(["--journal-field", "CODE_FILE", "--journal-field", "_COMM"])
        #expect(entries.count == run.fixture.recent.count)
        for (entry, source) in zip(entries, run.fixture.recent) {
            var expected: [String: String] = [:]
            for name in ["CODE_FILE", "_COMM"] { expected[name] = source.text(name) }
            #expect(entry.fields == (expected.isEmpty ? nil : expected))
        }
        #expect(entries.contains { $0.fields == ["CODE_FILE": "xlog.c"] })
    }

    @Test(arguments: [0, 3, 6, 7])
    func resumesAfterTheSavedCursor(index: Int) async throws {
        let run = try Run()
        defer { run.remove() }
        let all = try await run.dryRun()
        try run.write(cursor: all[index].cursor)
        let outcome = try await run.sender(["--dry-run"])
        #expect(outcome.status == 0)
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
        #expect(try Run.decode(outcome.stdout).map(\.cursor) == all[(index + 1)...].map(\.cursor))
        // A dry run never moves the cursor.
        #expect(try String(contentsOf: run.cursorFile, encoding: .utf8) == all[index].cursor + "\n")
    }

    @Test func resumesAtTheEndWithNothingToSend() async throws {
        let run = try Run()
        defer { run.remove() }
        let all = try await run.dryRun()
        try run.write(cursor: try #require(all.last).cursor)
        await #expect(try run.dryRun().isEmpty)
    }

    @Test(arguments: [2, 6])
    func aVanishedCursorContinuesAfterItsTime(index: Int) async throws {
        let run = try Run()
        defer { run.remove() }
        let recent = run.fixture.recent
        let time = String(recent[index].realtime, radix: 16)
        try run.write(cursor: "s=00112233445566778899aabbccddeeff;i=fffff;b=ffeeddccbbaa99887766554433221100;m=1;t=\(time);x=1")
        let outcome = try await run.sender(["--dry-run"])
        #expect(outcome.status == 0)
        let warnings = outcome.stderr.split(separator: "\n")
        #expect(warnings.count == 1 && outcome.stderr.contains("no longer in the journal"), "\(outcome.stderr)")
        #expect(try Run.decode(outcome.stdout).map(\.realtimeUsec) == recent[(index + 1)...].map(\.realtime))
    }

    @Test func aDamagedCursorFileStartsTheWindowAgo() async throws {
        let run = try Run()
        defer { run.remove() }
        try run.write(cursor: "not a cursor")
        let outcome = try await run.sender(["--dry-run"])
        #expect(outcome.status == 0)
        #expect(outcome.stderr.contains("holds no cursor"), "\(outcome.stderr)")
        #expect(try Run.decode(outcome.stdout).count == run.fixture.recent.count)
    }

    @Test func smallBatchesAndLimits() async throws {
        let run = try Run()
        defer { run.remove() }
        let config = run.fixture.directory.deletingLastPathComponent().appendingPathComponent("limits-\(UUID().uuidString.prefix(8)).toml")
        defer { try? FileManager.default.removeItem(at: config) }
        // 1 KiB batches: the 100 KB message overflows one and travels alone.
        try "[journal]\nbatch_entries = 2\nbatch_bytes = 1024\n".write(to: config, atomically: true, encoding: .utf8)
        #expect(try await run.dryRun(["--config", config.path]).map(\.realtimeUsec) == run.fixture.recent.map(\.realtime))
        try "[journal]\nmax_entries = 3\n".write(to: config, atomically: true, encoding: .utf8)
        #expect(try await run.dryRun(["--config", config.path]).map(\.realtimeUsec) == run.fixture.recent.prefix(3).map(\.realtime))
    }

    @Test(arguments: [
        (["--directory", "/nonexistent/journal"], "/nonexistent/journal"),
        (["--file", "/nonexistent/system.journal"], "/nonexistent/system.journal"),
        (["--max-priority", "loud"], "--max-priority"),
        (["--max-priority", "8"], "--max-priority"),
        (["--journal-field", "not-a-field"], "--journal-field"),
        (["--since", "10"], "--since"),
        (["--unit", ""], "--unit"),
        (["--directory", "/tmp", "--file", "/tmp/x.journal"], "--directory or --file"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], mention: String) async throws {
        let outcome = try await SenderBinary.run(["journal", "--dry-run"] + arguments, environment: ["METRICS_STATE_DIR": "/nonexistent/state"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(mention), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aDirectoryWithoutJournalFilesExitsTwo() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-journal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let outcome = try await SenderBinary.run(["journal", "--dry-run", "--directory", empty.path])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("holds no journal files"), "\(outcome.stderr)")
    }

    @Test func sendingNeedsAURL() async throws {
        let run = try Run()
        defer { run.remove() }
        let outcome = try await run.sender([])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("METRICS_URL"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.cursorFile.path))
    }
}

/// The sender's limits: what must never stall a journal or move its cursor back.
extension JournalCommandTests {
    /// `--unit nginx` ships what `journalctl -u nginx` shows: systemd's own "Failed with result"
    /// line about it too (pid 1, UNIT=nginx.service), filed under nginx.service.
    @Test func aUnitIncludesSystemdsLinesAboutIt() async throws {
        let run = try Run()
        defer { run.remove() }
        let entries = try await run.dryRun(["--unit", "nginx"])
        let failed = try #require(entries.first { ($0.message ?? "").hasSuffix("Failed with result 'exit-code'.") })
        #expect(failed.unit == "nginx.service" && failed.pid == 1 && failed.identifier == "systemd")
        #expect(!entries.contains { ($0.message ?? "").hasPrefix("Started sshd") })
        let excluded = try await run.dryRun(["--exclude-unit", "nginx.service"])
        #expect(!excluded.contains { ($0.message ?? "").contains("Failed with result") })
        #expect(excluded.contains { ($0.message ?? "").hasPrefix("Started sshd") })
    }

    /// Two runs at once (a slow run and the next timer's) could each save a cursor, the older one
    /// last: the second leaves the journal to the first, exit 4, and touches no cursor.
    @Test func aSecondRunAtOnceLeavesTheJournalToTheFirst() async throws {
        let run = try Run()
        defer { run.remove() }
        let cursor = run.fixture.recent[2]
        let saved = try #require(try await run.dryRun().first { $0.realtimeUsec == cursor.realtime }?.cursor)
        try run.write(cursor: saved)
        // O_CLOEXEC: tests run in parallel, and a child started meanwhile must not inherit the lock.
        let fd = open(run.state.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let busy = try await run.sender(["--timeout", "1s"], environment: ["METRICS_URL": "http://127.0.0.1:9"])
        #expect(busy.status == 4, "\(busy.stderr)")
        #expect(busy.stderr.contains("another metrics-sender is shipping the journal"), "\(busy.stderr)")
        #expect(try String(contentsOf: run.cursorFile, encoding: .utf8) == saved + "\n")
        close(fd)
        // Released: this run goes on to the (unreachable) backend.
        let next = try await run.sender(["--timeout", "1s"], environment: ["METRICS_URL": "http://127.0.0.1:9"])
        #expect(next.status == 3, "\(next.stderr)")
    }

    /// sd_journal_next failing (a damaged file) is stepped over by time, further at each failure
    /// in a row, so the run reads on past it; at the first read of a first run too.
    @Test(arguments: ["1-1", "3-9"])
    func readErrorsAreSteppedOverNotStalledOn(failing: String) async throws {
        let run = try Run()
        defer { run.remove() }
        let all = try await run.dryRun()
        let library = try Self.libsystemdWithReadErrors()
        let outcome = try await run.sender(["--dry-run"], environment: ["LD_LIBRARY_PATH": library.path, "JOURNAL_FAIL_NEXT": failing])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("reading failed (Bad message)"), "\(outcome.stderr)")
        let entries = try Run.decode(outcome.stdout)
        // Nothing after the damage is lost: the last entries are read.
        #expect(entries.suffix(5).map(\.cursor) == all.suffix(5).map(\.cursor))
        #expect(entries.count >= all.count - 2, "\(entries.count) of \(all.count)")
    }

    /// Builds Tests/Support/journal_read_errors.c as libsystemd.so.0 in a directory of its own.
    static func libsystemdWithReadErrors() throws -> URL {
        let real = ["/usr/lib/x86_64-linux-gnu/libsystemd.so.0", "/lib/x86_64-linux-gnu/libsystemd.so.0",
                    "/usr/lib/aarch64-linux-gnu/libsystemd.so.0", "/lib/aarch64-linux-gnu/libsystemd.so.0"]
        let found = try #require(real.first { FileManager.default.fileExists(atPath: $0) }, "no libsystemd.so.0")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("libsystemd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = SenderBinary.fixtures.deletingLastPathComponent().appendingPathComponent("Support/journal_read_errors.c")
        let (status, _, said) = try runCapturing("/usr/bin/cc", ["-shared", "-fPIC", "-DREAL_LIBSYSTEMD=\"\(found)\"", "-o",
                                                                 directory.appendingPathComponent("libsystemd.so.0").path, source.path, "-ldl"], environment: ["PATH": "/usr/bin:/bin"], input: Data())
        guard status == 0 else { throw FixtureError(message: "cc failed: \(String(decoding: said, as: UTF8.self))") }
        return directory
    }

    /// A cursor whose time is the largest there is (a damaged file) must not trap on `+ 1`.
    @Test func aCursorAtTheEndOfTimeIsNoCrash() async throws {
        let run = try Run()
        defer { run.remove() }
        try run.write(cursor: "s=5d1f0b6e2a3c4b5d8e9f0a1b2c3d4e5f;i=1;b=\(JournalFixture.bootA);m=1;t=ffffffffffffffff;x=1")
        let outcome = try await run.sender(["--dry-run"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try Run.decode(outcome.stdout).isEmpty)
    }
}
