import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// The two storms of the notifications issue, against the real backend and a Telegram stand-in
/// that keeps Telegram's limit of 20 messages a minute in a group chat.
@Suite struct NotificationStormTests {
    /// A group chat (20 a minute). Hosts report every 2 s and are down after 6 s of silence;
    /// their checks' no-data comes later (2 + 6 s), when the host's own alert mutes them.
    static let settings = ["TELEGRAM_CHAT_ID": "-1001", "REPORT_INTERVAL": "2s", "REPORT_GRACE": "6s", "PUBLIC_URL": "http://metrics.test"]

    static func report(_ host: String, disks: [(mount: String, used: Double)]) -> Report {
        Report(host: host, sentAt: Date(), reportId: UUID().uuidString,
               observations: disks.map { Observation(name: "disk:\($0.mount)", kind: .disk, value: $0.used, unit: "%") })
    }

    /// Keeps one host reporting every second at `used` %, until cancelled.
    static func keepReporting(_ rig: AlertRig, _ host: String, used: @escaping @Sendable () -> Double) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await rig.report(hosts: [report(host, disks: [("/", used())])])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// When the first message naming `host`'s disk alert arrived.
    static func diskAlert(of host: String, in rig: AlertRig) -> Date? {
        rig.delivered().first { message in
            message.text.split(separator: "\n").contains { line in
                // Its threshold alert: on a machine loaded by the whole suite the host may also miss
                // a report, and a no-data line names the same check.
                line.contains("<b>\(host)</b>") && line.contains("<code>disk:/</code>") && line.contains("above 90%")
                    && (line.hasPrefix("🔴") || line.hasPrefix("•"))
            }
        }?.at
    }

    /// When `host`'s disk check flipped to alert, from the flips API.
    static func diskFlip(of host: String, in rig: AlertRig) async throws -> Date {
        let body = try await EndToEndTests.run("/usr/bin/curl", ["-sS", "--fail-with-body", "-H", "Authorization: Bearer \(rig.reader)",
                                                              "\(rig.url)/api/v1/flips?host=\(host)&check=disk:/"], environment: [:])
        let flips = try Report.makeDecoder().decode([String: [Flip]].self, from: Data(body.stdout.utf8))["flips"] ?? []
        return try #require(flips.first { $0.to == .alert }?.at)
    }

    /// Every host the messages name, in their text or on the group pages they link to.
    static func named(in rig: AlertRig) async throws -> Set<String> {
        var hosts = Set<String>()
        for message in rig.delivered() {
            for match in message.text.matches(of: /<b>([^<]+)<\/b>/) { hosts.insert(String(match.1)) }
            for match in message.text.matches(of: /metrics\.test\/notifications\/(\d+)/) {
                let body = try await EndToEndTests.run("/usr/bin/curl", ["-sS", "--fail-with-body", "-H", "Authorization: Bearer \(rig.reader)",
                                                                      "\(rig.url)/api/v1/notifications/\(match.1)"], environment: [:])
                let object = try JSONSerialization.jsonObject(with: Data(body.stdout.utf8)) as? [String: Any]
                for member in object?["notifications"] as? [[String: Any]] ?? [] {
                    if let host = (member["message"] as? [String: Any])?["host"] as? String { hosts.insert(host) }
                }
            }
        }
        return hosts
    }

    @Test(arguments: Engine.available)
    func aRackOutageIsAFewMessagesAndADiskAlertStillArrivesWithin10s(_ engine: Engine) async throws {
        let rig = try await AlertRig(engine: engine, settings: Self.settings)
        let used = Locked(50.0)
        let keepAlive = Self.keepReporting(rig, "db-1", used: { used.value })
        do {
            try await rig.startBackend()
            let rack = (0..<200).map { String(format: "rack-%03d", $0) }
            try await rig.report(hosts: rack.map { Self.report($0, disks: [("/", 50)]) })
            // The rack goes silent; once its first "host down" is told, db-1's disk fills.
            #expect(try await rig.wait(30) { !rig.delivered().isEmpty })
            used.value = 97
            #expect(try await rig.wait(20) { Self.diskAlert(of: "db-1", in: rig) != nil })
            if let at = Self.diskAlert(of: "db-1", in: rig) {
                // From its flip, as the target says; the report's own way there is not the channel's doing.
                let flipped = try await Self.diskFlip(of: "db-1", in: rig)
                #expect(at.timeIntervalSince(flipped) <= 10, "the disk alert took \(at.timeIntervalSince(flipped)) s after its flip")
            }
            #expect(try await rig.wait(60) { rig.told().count >= 201 })
            // The last message can arrive before its group is recorded as delivered: look again.
            var named = try await Self.named(in: rig)
            for _ in 0..<20 where !Set(rack).subtracting(named).isEmpty {
                try await Task.sleep(for: .milliseconds(250))
                named = try await Self.named(in: rig)
            }
            #expect(Set(rack).subtracting(named).isEmpty, "not named: \(Set(rack).subtracting(named).sorted().prefix(5))")
            #expect(rig.delivered().count <= 10, "\(rig.delivered().count) messages")
            #expect(!rig.messages().contains { $0.status == 429 }, "a send went over Telegram's budget")
        } catch {
            Issue.record(error)
        }
        keepAlive.cancel()
        await rig.finish()
    }

    @Test(arguments: Engine.available)
    func aNoisyHostDoesNotDelayAnotherHostsFirstAlert(_ engine: Engine) async throws {
        let rig = try await AlertRig(engine: engine, settings: Self.settings.merging(["MAX_CHECKS_PER_HOST": "5000"]) { $1 })
        let used = Locked(50.0)
        let keepAlive = Self.keepReporting(rig, "db-1", used: { used.value })
        do {
            try await rig.startBackend()
            // One host token makes 5,000 failing checks.
            let noisy = (0..<20).map { part in
                Self.report("noisy", disks: (0..<250).map { ("/m\(part * 250 + $0)", 97) })
            }
            // One after another, 250 new checks each: a report of 500 new checks could outlast the
            // storage deadline on a machine loaded by the whole suite.
            try await rig.report(hosts: noisy, parallel: 1)
            #expect(try await rig.wait(20) { !rig.delivered().isEmpty })
            used.value = 97
            #expect(try await rig.wait(20) { Self.diskAlert(of: "db-1", in: rig) != nil })
            if let at = Self.diskAlert(of: "db-1", in: rig) {
                // From its flip, as the target says; the report's own way there is not the channel's doing.
                let flipped = try await Self.diskFlip(of: "db-1", in: rig)
                #expect(at.timeIntervalSince(flipped) <= 10, "the disk alert took \(at.timeIntervalSince(flipped)) s after its flip")
            }
            #expect(!rig.messages().contains { $0.status == 429 }, "a send went over Telegram's budget")
        } catch {
            Issue.record(error)
        }
        keepAlive.cancel()
        await rig.finish()
    }
}

/// A value tests change while a task reads it.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
