import Foundation
import Logging
import SQLiteNIO
import Synchronization
import Testing
@testable import Backend

/// The two group commits ingest relies on: the SQLite writer's transaction of waiting jobs, and
/// the batcher's batch of waiting reports. A failure stays with its own job or report.
@Suite struct WriteGroupingTests {
    struct Refused: Error {}

    @Test func aLoneFailingWriteJobLeavesNothingAndTheNextOneCommits() async throws {
        try await withWriter { writer, read in
            await #expect(throws: Refused.self) {
                try await writer.write { db -> Bool in
                    _ = try await db.query("INSERT INTO t (v) VALUES ('lost')")
                    throw Refused()
                }
            }
            try await writer.write { db -> Bool in
                _ = try await db.query("INSERT INTO t (v) VALUES ('kept')")
                return true
            }
            #expect(try await read.query("SELECT v FROM t").map { $0.column("v")?.string } == ["kept"])
        }
    }

    @Test func aFailingJobInAGroupRollsBackAloneAndTheOthersCommit() async throws {
        try await withWriter { writer, read in
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        (try? await writer.write { db -> Bool in
                            _ = try await db.query("INSERT INTO t (v) VALUES (?)", [.text("row-\(index)")])
                            if index % 5 == 0 { throw Refused() }
                            return true
                        }) == true
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 16)
            let stored = try await read.query("SELECT v FROM t ORDER BY v").compactMap { $0.column("v")?.string }
            #expect(Set(stored) == Set((0..<20).filter { $0 % 5 != 0 }.map { "row-\($0)" }))
        }
    }

    /// Sends a report of each host at once, "first" alone ahead so that the others wait and form
    /// one batch; `fail` may throw for a batch. Answers each report's outcome and the batches seen.
    private func send(_ hosts: [String], fail: @escaping @Sendable ([String]) throws -> Void) async throws -> (outcomes: [(String, Bool)], batches: [[String]]) {
        let batches = Mutex<[[String]]>([])
        let (gate, release) = AsyncStream<Void>.makeStream()
        let batcher = ReportBatcher(IngestBatching(maxRunning: 1, maxBatch: 64), logger: Logger(label: "test")) { batch in
            let hosts = batch.map(\.rows.host)
            batches.withLock { $0.append(hosts) }
            if hosts == ["first"] { for await _ in gate { break } }
            try fail(hosts)
            return hosts.map { _ in .stored(samples: 1) }
        }
        let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for host in ["first"] + hosts {
                group.addTask {
                    let rows = ReportRows(Reports.sample(host: host, sentAt: Reports.now()))
                    return (host, (try? await batcher.ingest(rows, receivedAt: Date())) == .stored(samples: 1))
                }
                if host == "first" { try await until { batches.withLock { $0.count } == 1 } }
            }
            try await until { batcher.waiting == hosts.count }
            release.finish()
            return try await group.reduce(into: [(String, Bool)]()) { $0.append(($1.0, $1.1)) }
        }
        return (outcomes, batches.withLock { $0 })
    }

    @Test func aBatchThatFailsIsStoredReportByReport() async throws {
        let hosts = ["bad"] + (0..<30).map { "web-\($0)" }
        let (outcomes, seen) = try await send(hosts) { if $0.contains("bad") { throw Refused() } }
        #expect(outcomes.filter { $0.0 == "bad" }.allSatisfy { !$0.1 })
        #expect(outcomes.filter { $0.0 != "bad" }.allSatisfy { $0.1 })
        #expect(outcomes.count == hosts.count + 1)
        // The bad report was in a batch with the others, which then went one by one.
        #expect(seen.count == 2 + hosts.count)
        #expect(seen[1].count == hosts.count && seen[1].contains("bad"))
        #expect(seen.contains(["bad"]))
    }

    @Test func aHostPastItsCheckLimitFailsAloneAndTheOthersStayOneBatch() async throws {
        let hosts = ["noisy", "noisy"] + (0..<20).map { "web-\($0)" }
        let (outcomes, seen) = try await send(hosts) { if $0.contains("noisy") { throw CheckLimit.Exceeded(host: "noisy", checks: 1001, limit: 1000) } }
        #expect(outcomes.filter { $0.0 == "noisy" }.allSatisfy { !$0.1 })
        #expect(outcomes.filter { $0.0 != "noisy" }.allSatisfy { $0.1 })
        // The batch with the noisy host, then each of its reports alone, then the others together.
        #expect(seen.count == 5, "\(seen)")
        #expect(seen.last?.count == 20)
    }

    @Test func aFullQueueRefusesAtOnceInsteadOfGrowing() async throws {
        let (gate, release) = AsyncStream<Void>.makeStream()
        let started = Mutex(0)
        let batcher = ReportBatcher(IngestBatching(maxRunning: 1, maxBatch: 64), maxWaiting: 3, logger: Logger(label: "test")) { batch in
            if started.withLock({ $0 += 1; return $0 == 1 }) { for await _ in gate { break } }
            return batch.map { _ in .stored(samples: 1) }
        }
        try await withThrowingTaskGroup(of: IngestOutcome?.self) { group in
            func send(_ host: String) {
                group.addTask { try? await batcher.ingest(ReportRows(Reports.sample(host: host, sentAt: Reports.now())), receivedAt: Date()) }
            }
            send("first")
            try await until { started.withLock { $0 } == 1 }
            for index in 0..<3 { send("web-\(index)") }
            try await until { batcher.waiting == 3 }
            let extra = Task { try await batcher.ingest(ReportRows(Reports.sample(host: "one-too-many", sentAt: Reports.now())), receivedAt: Date()) }
            let answered = Mutex(false)
            Task { _ = await extra.result; answered.withLock { $0 = true } }
            // Refused at once, or (the fault this guards against) queued as a fourth waiter.
            try await until { answered.withLock { $0 } || batcher.waiting == 4 }
            #expect(batcher.waiting == 3)
            release.yield()
            await #expect(throws: ReportBatcher.Overloaded.self) { try await extra.value }
            release.finish()
            var stored = 0
            for try await outcome in group where outcome == .stored(samples: 1) { stored += 1 }
            #expect(stored == 4)
        }
    }

    /// Polls `condition` for up to ten seconds; the tests wait on each other's steps this way.
    private func until(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test func aSecondBatchStartsBesideARunningOneOnlyOnceEnoughReportsWait() async throws {
        let batches = Mutex<[[String]]>([])
        let (gate, release) = AsyncStream<Void>.makeStream()
        let batcher = ReportBatcher(IngestBatching(maxRunning: 2, maxBatch: 64, overlapAt: 5), logger: Logger(label: "test")) { batch in
            let hosts = batch.map(\.rows.host)
            let first = batches.withLock { $0.append(hosts); return $0.count == 1 }
            if first { for await _ in gate { break } }
            return hosts.map { _ in .stored(samples: 1) }
        }
        try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            func send(_ host: String) {
                group.addTask { try await batcher.ingest(ReportRows(Reports.sample(host: host, sentAt: Reports.now())), receivedAt: Date()) }
            }
            send("first")
            try await until { batches.withLock { $0.count } == 1 }
            for index in 0..<4 { send("web-\(index)") }
            try await until { batcher.waiting == 4 }
            // Four wait for the running batch rather than start a small one beside it.
            #expect(batches.withLock { $0.count } == 1)
            send("web-4")
            try await until { batches.withLock { $0.count } == 2 }
            #expect(batches.withLock { $0[1].count } == 5)
            release.yield()
            release.finish()
            for try await outcome in group { #expect(outcome == .stored(samples: 1)) }
        }
        #expect(batches.withLock { $0.count } == 2)
    }

    private func withWriter(_ body: (SQLiteWriter, SQLiteConnection) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (write, read) = try await SQLiteMigrator.open(path: directory.appendingPathComponent("w.sqlite").path, logger: TestStores.logger)
        _ = try await write.query("CREATE TABLE t (v TEXT NOT NULL)")
        do {
            try await body(SQLiteWriter(connection: write), read)
        } catch {
            try? await read.close()
            try? await write.close()
            throw error
        }
        try await read.close()
        try await write.close()
    }
}
