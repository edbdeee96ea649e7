import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// The real `metrics-sender journal` reading real journal files (written by systemd-journal-remote)
/// into a real `metrics-backend serve`, through a proxy that records requests, loses
/// acknowledgements and fails on demand.
@Suite struct JournalEndToEndTests {
    typealias E = EndToEndTests
    typealias Rig = SenderBackendRig

    /// With one batch in flight, and with two (whose answers may come in any order).
    @Test(arguments: Engine.available, [1, 2])
    func noEntryIsLostOrStoredTwiceThroughFailuresAndResends(_ engine: Engine, inFlight: Int) async throws {
        // The first batch passes, the second is stored but its answer lost, then the backend
        // fails until healed.
        let rig = try await Rig(engine: engine, entries: 1200, plan: "pass,lost-ack,fail-until-healed")
        defer { Task { await rig.finish() } }
        // 3 s, not 1: on a loaded machine a first answer slower than the timeout is retried, and the
        // retry takes the plan's next step, so the test would see a fault it did not plan.
        let config = try rig.config("[journal]\nbatch_entries = 100\nin_flight = \(inFlight)\n")
        let arguments = ["journal", "--directory", rig.journal.path, "--config", config, "--timeout", "3s"]

        let failing = try await rig.sender(arguments)
        #expect(failing.status == 3, "\(failing.stderr)")
        #expect(failing.stderr.contains("unreachable"), "\(failing.stderr)")
        #expect(failing.stderr.split(separator: "\n").count == 1, "\(failing.stderr)")
        // Two at once: which of the first two batches met the lost answer is a race, and when it
        // was the first, no cursor may be saved.
        if inFlight == 1 { #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8).hasPrefix("s=")) }

        try rig.heal()
        let recovered = try await rig.sender(arguments)
        #expect(recovered.status == 0, "\(recovered.stderr)")
        var cursors = try await rig.storedCursors()
        #expect(cursors.count == 1200)
        #expect(Set(cursors).count == 1200)

        // A lost cursor resends everything in the start window; the backend stores nothing twice.
        try FileManager.default.removeItem(at: rig.cursorFile)
        let resent = try await rig.sender(arguments)
        #expect(resent.status == 0, "\(resent.stderr)")
        cursors = try await rig.storedCursors()
        #expect(cursors.count == 1200)

        // The same cursors journalctl sees in the files.
        let exported = try await E.run("/usr/bin/journalctl", ["-D", rig.journal.path, "-o", "export", "--output-fields=__CURSOR"], environment: [:])
        let source = Set(exported.stdout.split(separator: "\n").filter { $0.hasPrefix("__CURSOR=") }.map { String($0.dropFirst("__CURSOR=".count)) })
        #expect(source.count == 1200)
        #expect(Set(cursors) == source)
        #expect(await rig.backendServer.terminate(timeout: 15) == 0)
    }

    @Test func theCursorMovesOnlyAfterAnAcknowledgedBatch() async throws {
        let rig = try await Rig(entries: 12, plan: "pass,pass,fail-until-healed")
        defer { Task { await rig.finish() } }
        let all = try await rig.dryRun()
        #expect(all.count == 12)
        // One batch in flight: the plan's steps meet the batches in order.
        let arguments = ["journal", "--directory", rig.journal.path, "--config", try rig.config("[journal]\nbatch_entries = 4\nin_flight = 1\n"), "--timeout", "1s"]

        // Two batches pass, the third keeps failing: exit 3, the cursor after the second batch.
        let first = try await rig.sender(arguments)
        #expect(first.status == 3)
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[7].cursor + "\n")
        let mode = try FileManager.default.attributesOfItem(atPath: rig.state.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let requests = try rig.requests()
        #expect(requests.count >= 3)
        for request in requests {
            #expect(request.path == "/api/v1/journal?host=\(Rig.host)")
            #expect(request.headers["content-type"] == "application/x-ndjson")
            #expect(request.headers["content-encoding"] == "gzip")
            #expect(request.headers["authorization"] == "Bearer \(rig.token)")
        }
        #expect(requests.prefix(3).map { $0.entries.map(\.cursor) } == [0..<4, 4..<8, 8..<12].map { all[$0].map(\.cursor) })

        // The next run resends the unacknowledged batch only; then the cursor is at the end.
        try rig.heal()
        let second = try await rig.sender(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let resent = try rig.requests().dropFirst(requests.count)
        #expect(resent.flatMap(\.entries).map(\.cursor) == all[8...].map(\.cursor))
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[11].cursor + "\n")
        await #expect(try rig.storedCursors().count == 12)

        // Nothing new: nothing sent.
        let sentBefore = try rig.requests().count
        let third = try await rig.sender(arguments)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try rig.requests().count == sentBefore)
    }

    @Test func skippedEntriesAfterTheLastSentOneAreNotReadAgain() async throws {
        let rig = try await Rig(entries: 12, plan: "pass")
        defer { Task { await rig.finish() } }
        let all = try await rig.dryRun()
        let lastUnit = try #require(all.last?.unit)
        let outcome = try await rig.sender(["journal", "--directory", rig.journal.path, "--exclude-unit", lastUnit])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        await #expect(Set(try rig.storedCursors()) == Set(all.filter { $0.unit != lastUnit }.map(\.cursor)))
        #expect(try String(contentsOf: rig.cursorFile, encoding: .utf8) == all[all.count - 1].cursor + "\n")
    }

    @Test func aRefusalIsFinalAndKeepsTheCursor() async throws {
        let rig = try await Rig(entries: 12, plan: "pass")
        defer { Task { await rig.finish() } }
        // The token may only send for its own host: 403, which no retry can change.
        let outcome = try await rig.sender(["journal", "--directory", rig.journal.path], host: "another-host")
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("HTTP 403"), "\(outcome.stderr)")
        #expect(try rig.requests().count == 1)
        #expect(!FileManager.default.fileExists(atPath: rig.cursorFile.path))
        await #expect(try rig.storedCursors().isEmpty)
    }

    @Test func runSkipsTheJournalWhenDisabled() async throws {
        let rig = try await Rig(entries: 1, plan: "pass")
        defer { Task { await rig.finish() } }
        let outcome = try await rig.sender(["run", "--config", try rig.config("[journal]\nenabled = false\n"), "--collector", "memory"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try rig.requests().map(\.path) == ["/api/v1/report"])
    }

    /// The backend killed with SIGKILL while a sender ships its journal, then started again: after
    /// the sender's retries every entry is stored, none twice.
    @Test(arguments: Engine.available)
    func killingTheBackendMidIngestLosesAndDoublesNothing(_ engine: Engine) async throws {
        let rig = try await Rig(engine: engine, entries: 3000, plan: "pass")
        defer { Task { await rig.finish() } }
        let config = try rig.config("[journal]\nbatch_entries = 20\n")
        let environment = ["METRICS_URL": rig.proxyURL, "METRICS_TOKEN": rig.token, "METRICS_HOST": Rig.host, "METRICS_STATE_DIR": rig.state.path]
        let sender = try Daemon([E.buildDirectory.appendingPathComponent("metrics-sender").path, "journal", "--directory", rig.journal.path,
                                 "--config", config, "--timeout", "2s"], environment: environment)
        // Some batches are in; then the backend dies mid-stream and comes back.
        let log = rig.proxyDirectory.appendingPathComponent("log")
        _ = try await Rig.waitFor { ((try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 10 ? "some" : nil }
        try await rig.killAndRestartBackend()
        let first = await sender.terminate(signal: 0, timeout: 120)
        #expect(first != nil, "the sender did not finish")
        // Whatever the first run left (it may have run out of retries), the next one sends.
        let second = try await rig.sender(["journal", "--directory", rig.journal.path, "--config", config, "--timeout", "2s"])
        #expect(second.status == 0, "\(second.stderr)")
        let cursors = try await rig.storedCursors()
        #expect(cursors.count == 3000)
        #expect(Set(cursors).count == 3000)
        let requests = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count
        #expect(requests > 20, "the kill came after the last batch: \(requests) requests")
    }
}

/// The sender's limits against a real backend.
extension JournalEndToEndTests {
    /// One entry larger than a batch never stalls the journal. With the default batch size it is
    /// cut to fit a batch and stored; with batches larger than the backend takes (its
    /// JOURNAL_MAX_BYTES below journal.batch_bytes), a refused batch goes again in halves and the
    /// one entry still refused is skipped with a warning.
    @Test func anOversizedEntryNeverStallsTheJournal() async throws {
        let rig = try await Rig(entries: 200, bigMessage: 3_000_000, plan: "pass", backend: ["JOURNAL_MAX_BYTES": "2000000"])
        defer { Task { await rig.finish() } }
        let tooLarge = try await rig.sender(["journal", "--directory", rig.journal.path, "--config", try rig.config("[journal]\nbatch_bytes = 3000000\n")])
        #expect(tooLarge.status == 0, "\(tooLarge.stderr)")
        #expect(tooLarge.stderr.contains("skipped an entry of"), "\(tooLarge.stderr)")
        #expect(try await rig.storedCursors().count == 199)

        try FileManager.default.removeItem(at: rig.cursorFile)
        let cut = try await rig.sender(["journal", "--directory", rig.journal.path])
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(!cut.stderr.contains("skipped"), "\(cut.stderr)")
        #expect(try await rig.storedCursors().count == 200)
        // Every request fit the default batch size, the cut entry's included.
        #expect(try rig.requests().suffix(1).allSatisfy { $0.body.utf8.count <= 1 << 20 })
    }

    /// Two batches in flight: the first fails slowly while the ones after it are acknowledged.
    /// They are stored, but the cursor must not pass the first, so nothing is saved; the next run
    /// sends them again and the backend stores none twice.
    @Test func theCursorNeverPassesABatchInFlightThatFails() async throws {
        // Batch 1 of 12 holds entry 5 ("request 5 from …"), and only batch 1 does.
        let rig = try await Rig(entries: 1200, plan: "slow-poison=request 5 from ")
        defer { Task { await rig.finish() } }
        let config = try rig.config("[journal]\nbatch_entries = 100\nin_flight = 2\n")
        let outcome = try await rig.sender(["journal", "--directory", rig.journal.path, "--config", config, "--timeout", "1s"])
        #expect(outcome.status == 3, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("(0 sent this run)"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: rig.cursorFile.path))
        // The batches after it went out meanwhile and were stored.
        let stored = try await rig.storedCursors()
        #expect(stored.count >= 100 && stored.count <= 1100, "\(stored.count)")
    }
}
