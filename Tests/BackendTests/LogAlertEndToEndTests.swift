import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// Log rules through a real backend: journal lines POSTed the sender's way and Loki's way raise
/// their checks, and the Telegram stand-in receives the matching line with a link to the journal.
@Suite struct LogAlertEndToEndTests {
    @Test(arguments: Engine.available)
    func aMatchingLineReachesTheChannelWithALinkToTheJournal(_ engine: Engine) async throws {
        let rules = FileManager.default.temporaryDirectory.appendingPathComponent("log-rules-\(UUID().uuidString.prefix(8)).toml")
        defer { try? FileManager.default.removeItem(at: rules) }
        try """
            [logs."oom"]
            contains = "Out of memory: Killed process"
            [logs."disk-errors"]
            regex = "EXT4-fs error|I/O error"
            """.write(to: rules, atomically: true, encoding: .utf8)
        let rig = try await AlertRig(engine: engine, settings: ["ALERT_RULES_FILE": rules.path, "PUBLIC_URL": "https://metrics.example.com"])
        defer { Task { await rig.finish() } }
        try await rig.startBackend()

        let at = JournalFixtures.ago(2)
        try await rig.post("/api/v1/journal?host=web-1", body: JournalFixtures.line(1, at: at, message: "Out of memory: Killed process 42 (java)") + "\n", token: rig.token)
        let ns = Date().addingTimeInterval(-1).microseconds * 1000
        try await rig.post("/loki/api/v1/push", body: #"{"streams":[{"stream":{"host":"web-1","job":"kernel"},"values":[["\#(ns)","EXT4-fs error (device sda1): ext4_find_entry"]]}]}"#, token: rig.token)

        #expect(try await rig.wait {
            let texts = rig.delivered().map(\.text).joined(separator: "\n")
            return texts.contains("log:oom") && texts.contains("log:disk-errors")
        }, "\(rig.delivered().map(\.text))")
        let texts = rig.delivered().map(\.text).joined(separator: "\n")
        #expect(texts.contains("matched: Out of memory: Killed process 42 (java)"), "\(texts)")
        #expect(texts.contains("matched: EXT4-fs error (device sda1): ext4_find_entry"), "\(texts)")
        let seconds = Int(Double(at) / 1_000_000)
        #expect(texts.contains("https://metrics.example.com/journal?host=web-1&amp;from=\(seconds - 300)&amp;to=\(seconds + 300)"), "\(texts)")
    }
}
