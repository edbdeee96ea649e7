import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// Alerting end to end: the real backend, reports over HTTP, and a real local HTTP server
/// standing in for Telegram that records what arrives.
@Suite struct AlertDeliveryTests {
    @Test func oneMessagePerFlipAndARecoveryWithItsDuration() async throws {
        let rig = try await AlertRig()
        do {
            try await rig.startBackend()
            let mount = "/data&<x>#1"
            try await rig.report([rig.disk(90, mount: mount)])
            try await rig.report([rig.disk(95, mount: mount)])
            try await rig.report([rig.disk(96, mount: mount)])
            #expect(try await rig.wait { rig.delivered().count == 1 })
            try await rig.report([rig.disk(80, mount: mount)])
            #expect(try await rig.wait { rig.delivered().count == 2 })
            try await Task.sleep(for: .seconds(1.5))
            let messages = rig.delivered()
            #expect(messages.count == 2)
            #expect(messages.allSatisfy { $0.chat == "1001" && $0.parseMode == "HTML" })
            #expect(messages.first?.text == "🔴 ALERT <b>web-1</b> · <code>disk:/data&amp;&lt;x&gt;#1</code>\n95% used, above 90%")
            #expect(messages.last?.text.contains("80% used; the problem lasted") == true)
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test func a429And500sThenSuccessLoseAndDuplicateNothing() async throws {
        let rig = try await AlertRig()
        do {
            try rig.telegram("500")
            try await rig.startBackend()
            try await rig.report([rig.disk(95, mount: "/a"), rig.disk(95, mount: "/b")])
            #expect(try await rig.wait { rig.messages().count >= 3 })
            try await rig.report([rig.disk(50, mount: "/a"), rig.disk(95, mount: "/b")])
            try rig.telegram("429 1")
            #expect(try await rig.wait { rig.messages().contains { $0.status == 429 } })
            try rig.telegram("ok")
            #expect(try await rig.wait { rig.told().count == 3 })
            try await Task.sleep(for: .seconds(2))
            // Everything that waited went as one message: both alerts and /a's recovery, once.
            #expect(rig.told().sorted() == ["ALERT", "ALERT", "OK"])
            let delivered = rig.delivered().map(\.text)
            #expect(delivered.count == 1)
            #expect(delivered.first?.contains("<code>disk:/a</code> — 50% used") == true)
            // After a 429, nothing new was sent until retry_after (1 s) passed; sends already in
            // flight at that moment arrive within a few milliseconds of it.
            let all = rig.messages()
            let limited = try #require(all.first { $0.status == 429 })
            let early = all.filter { $0.at.timeIntervalSince(limited.at) > 0.2 && $0.at.timeIntervalSince(limited.at) < 0.9 }
            #expect(early.isEmpty, "\(early.count) sent within retry_after")
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test(arguments: Engine.available)
    func pendingMessagesSurviveARestart(_ engine: Engine) async throws {
        let rig = try await AlertRig(engine: engine)
        do {
            try rig.telegram("500")
            try await rig.startBackend()
            try await rig.report([rig.disk(95)])
            #expect(try await rig.wait { rig.messages().count >= 1 })
            _ = await rig.backends[0].daemon.terminate(signal: SIGKILL, timeout: 10)
            try rig.telegram("ok")
            try await rig.startBackend()
            // Killed mid-send, its claim lapses after the 30 s lease on PostgreSQL (SQLite drops it at start).
            #expect(try await rig.wait(45) { rig.delivered().count == 1 })
            try await Task.sleep(for: .seconds(1.5))
            #expect(rig.delivered().count == 1)
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test func aSilenceThatEndsGivesAFreshWindowNotAFalseAlert() async throws {
        let rig = try await AlertRig()
        do {
            try await rig.startBackend()
            // Wide margins: under a loaded test run, spawning curl can take seconds.
            let beat = Observation(name: "backup", kind: .heartbeat, status: "ok", every: 10, grace: 5)
            try await rig.report([beat])
            let silenced = Date()
            try await rig.post("/api/v1/silences", body: #"{"host": "web-1", "check": "backup", "for": "6s"}"#, token: rig.reader)
            // No ping during the silence; one a second after it ends.
            try await Task.sleep(for: .seconds(7))
            // Taken before the report: its time is set before curl starts, which can take seconds.
            let pinged = Date()
            try await rig.report([beat])
            // The silence ended at 6 s: a fresh window runs to 6 + 10 + 5 = 21 s, and the ping came at 7 s.
            #expect(pinged.timeIntervalSince(silenced) < 20, "the machine was too slow to ping within the window")
            #expect(try await rig.wait(30) { !rig.delivered().isEmpty })
            try await Task.sleep(for: .seconds(1))
            let messages = rig.delivered()
            #expect(messages.count == 1)
            #expect(messages.first?.text.contains("missed") == true)
            // The alert is the ping's own deadline (15 s after it), not a false one at the silence's end.
            #expect((messages.first?.at.timeIntervalSince(pinged) ?? 0) >= 14.5)
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test func aDownHostIsOneMessageAndItsChecksStayQuiet() async throws {
        let rig = try await AlertRig(settings: ["REPORT_INTERVAL": "1s", "REPORT_GRACE": "3s"])
        do {
            try await rig.startBackend()
            try await rig.report([rig.disk(50), Observation(name: "memory", kind: .memory, value: 40, unit: "%")])
            // Host down after 3 s; the checks' no-data at 4 s is muted.
            #expect(try await rig.wait { rig.delivered().count == 1 })
            try await Task.sleep(for: .seconds(3))
            #expect(rig.delivered().count == 1)
            #expect(rig.delivered().first?.text.contains("<code>host</code>\nhost down") == true)
            try await rig.report([rig.disk(50), Observation(name: "memory", kind: .memory, value: 40, unit: "%")])
            #expect(try await rig.wait { rig.delivered().count >= 2 })
            // With a 1 s interval the host goes down again 3 s later; on a loaded machine that
            // message may already be there: only the first two are this test's.
            #expect(rig.delivered().prefix(2).map { $0.text.hasPrefix("✅") } == [false, true])
            #expect(rig.delivered().allSatisfy { $0.text.contains("<code>host</code>") }, "a check of the down host spoke")
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    @Test func flappingIsOneNoticeThenQuiet() async throws {
        let rig = try await AlertRig(settings: ["FLAP_FLIPS": "3"])
        do {
            try await rig.startBackend()
            for used in [95.0, 50, 95, 50, 95, 50] { try await rig.report([rig.disk(used)]) }
            #expect(try await rig.wait { rig.told().count == 4 })
            try await Task.sleep(for: .seconds(6))
            // The first alert goes alone at once; what follows within the group interval folds.
            #expect(rig.told().first == "ALERT")
            #expect(rig.told().sorted() == ["ALERT", "ALERT", "FLAPPING", "OK"])
            #expect(rig.delivered().last?.text.contains("flipped 4 times") == true)
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }

    /// In CI PostgreSQL is always there (CI=true), so this never silently passes there.
    @Test(.enabled(if: Engine.available.contains(.postgres), "needs PostgreSQL (TEST_DATABASE_URL)"))
    func twoBackendsOnOnePostgresSurviveTheLeadersDeath() async throws {
        let rig = try await AlertRig(engine: .postgres)
        do {
            try await rig.startBackend()
            try await rig.startBackend()
            // Reports reach both; the leader delivers, and every notification arrives once.
            try await rig.report([rig.disk(95, mount: "/a"), rig.disk(95, mount: "/b"), rig.disk(95, mount: "/c")], to: 0)
            try await rig.report([rig.disk(95, mount: "/d"), rig.disk(95, mount: "/e")], to: 1)
            #expect(try await rig.wait { rig.told().count == 5 })
            let leader = try #require(try await rig.leader())
            let survivor = 1 - leader
            _ = await rig.backends[leader].daemon.terminate(signal: SIGKILL, timeout: 10)
            let killed = Date()
            // A heartbeat due a second later: only a new leader can notice it is missed.
            try await rig.report([Observation(name: "backup", kind: .heartbeat, status: "ok", every: 1, grace: 0)], to: survivor)
            #expect(try await rig.wait(20) { rig.told().count == 6 })
            let missed = try #require(rig.delivered().last)
            #expect(missed.text.contains("missed"))
            #expect(missed.at.timeIntervalSince(killed) <= 12, "took over after \(missed.at.timeIntervalSince(killed)) s")
            try await Task.sleep(for: .seconds(2))
            #expect(rig.told().count == 6)
            for mount in ["/a", "/b", "/c", "/d", "/e"] {
                #expect(rig.delivered().filter { $0.text.contains("disk:\(mount)<") }.count == 1, "\(mount) not told exactly once")
            }
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }
}

extension AlertDeliveryTests {
    @Test func theWebhookGetsTheFlipAsJSONAndTheSelfHeartbeatIsFetched() async throws {
        let rig = try await AlertRig(standinPaths: ["WEBHOOK_URL": "/hook", "SELF_HEARTBEAT_URL": "/self-ping"])
        do {
            try await rig.startBackend()
            // Fetched once the backend runs (then every minute).
            #expect(try await rig.wait { rig.messages().contains { $0.method == "GET" && $0.path == "/self-ping" } })
            try await rig.report([rig.disk(95)])
            try await rig.report([rig.disk(50)])
            let hooks = { rig.messages().filter { $0.path == "/hook" && $0.status == 200 } }
            #expect(try await rig.wait { hooks().count == 2 })
            let events = hooks().map(\.body)
            #expect(events.map { $0["kind"] as? String } == ["problem", "recovery"])
            #expect(events.first?["host"] as? String == "web-1")
            #expect(events.first?["check"] as? String == "disk:/")
            #expect(events.first?["to"] as? String == "alert")
            #expect(events.first?["value"] as? Double == 95)
            #expect(events.first?["reason"] as? String == "95% used, above 90%")
            #expect(events.last?["duration"] is Double)
            // Telegram got the same two, once each.
            #expect(try await rig.wait { rig.delivered().count == 2 })
        } catch {
            Issue.record(error)
        }
        await rig.finish()
    }
}
