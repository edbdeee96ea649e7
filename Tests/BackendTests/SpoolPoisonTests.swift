import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// A kept report the backend keeps refusing with 503 (a poison report) must never hold back the
/// host's later reports: each run still delivers its own report, and after five runs that tried
/// it the poison report is moved aside to `spool/failed/`, which stays bounded.
@Suite struct SpoolPoisonTests {
    typealias Rig = SenderBackendRig
    typealias E = EndToEndTests

    func jsonFiles(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test(arguments: Engine.available)
    func aPoisonReportIsMovedAsideAndNeverBlocksLaterOnes(_ engine: Engine) async throws {
        let rig = try await Rig(engine: engine, plan: "poison=poison-job")
        defer { Task { await rig.finish() } }
        let spool = rig.state.appendingPathComponent("spool")
        let failed = spool.appendingPathComponent("failed")

        let first = try await rig.sender(["ping", "poison-job", "--timeout", "1s"])
        #expect(first.status == 3)
        #expect(jsonFiles(spool).count == 1)
        // What was kept: the report marked resent (the last request was its last retry, unmarked).
        let poisonBody = try String(contentsOf: spool.appendingPathComponent(try #require(jsonFiles(spool).first)), encoding: .utf8)
        #expect(poisonBody.contains("\"resent\":true") && poisonBody.contains("poison-job"))
        // A full failed/ from earlier poison reports, all older than this one.
        try FileManager.default.createDirectory(at: failed, withIntermediateDirectories: true)
        for index in 0..<50 { try Data("{}".utf8).write(to: failed.appendingPathComponent(String(format: "0000000000%02d-old.json", index))) }

        for run in 1...5 {
            let outcome = try await rig.sender(["ping", "job-\(run)", "--timeout", "1s"])
            #expect(outcome.status == 0, "run \(run): \(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            if run < 5 {
                #expect(lines.isEmpty, "run \(run): \(outcome.stderr)")
                #expect(jsonFiles(spool).count == 1, "run \(run)")
            } else {
                #expect(lines.count == 1 && lines.first?.contains("spool/failed") == true, "\(outcome.stderr)")
                #expect(jsonFiles(spool).isEmpty)
            }
        }
        // Moved aside unchanged; failed/ keeps the newest 50, so the oldest earlier one went.
        let kept = jsonFiles(failed)
        #expect(kept.count == 50)
        #expect(!kept.contains("000000000000-old.json"))
        let moved = try #require(kept.last)
        #expect(try String(contentsOf: failed.appendingPathComponent(moved), encoding: .utf8) == poisonBody)

        // Nothing holds the next run back, and the poison report is not tried again.
        let triesBefore = try rig.requests().filter { $0.body.contains("poison-job") }.count
        let last = try await rig.sender(["ping", "job-6", "--timeout", "1s"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try rig.requests().filter { $0.body.contains("poison-job") }.count == triesBefore)
        let data = try await E.get("\(rig.backendURL)/api/v1/checks?host=\(Rig.host)", token: rig.reader)
        let names = Set((try Report.makeDecoder().decode([String: [CheckRecord]].self, from: data)["checks"] ?? []).map(\.name))
        #expect(names == Set((1...6).map { "job-\($0)" }))
    }
}
