import Foundation
import Shared
import TestSupport
import Testing
@testable import Backend

/// Who watches the leader: real backends on one PostgreSQL, the leader stopped with SIGSTOP
/// (it keeps its lock but stops beating), and the Telegram stand-in counting what arrives.
@Suite struct LeaderWatchTests {
    static func beat(_ backend: String, age: Double, leader: Bool = false) -> EvaluatorBeat {
        EvaluatorBeat(backend: backend, startedAt: Date(), beatAt: Date().addingTimeInterval(-age), leader: leader, age: age)
    }

    /// Of the followers whose own beat is fresh, the first by name tells; the freshest leader row leads.
    @Test func oneFreshFollowerTells() {
        let beats = [Self.beat("a", age: 40), Self.beat("b", age: 2), Self.beat("c", age: 1), Self.beat("old", age: 900, leader: true),
                     Self.beat("hung", age: 20, leader: true)]
        #expect(Leadership.leader(beats)?.backend == "hung")
        #expect(!Leadership.isTeller("a", beats: beats, staleAfter: 15))
        #expect(Leadership.isTeller("b", beats: beats, staleAfter: 15))
        #expect(!Leadership.isTeller("c", beats: beats, staleAfter: 15))
        #expect(!Leadership.isTeller("hung", beats: beats, staleAfter: 15))
    }

    /// In CI PostgreSQL is always there (CI=true), so this never silently passes there.
    @Test(.enabled(if: Engine.available.contains(.postgres), "needs PostgreSQL (TEST_DATABASE_URL)"))
    func aHungLeaderIsToldOnceByOneFollowerAndSoIsItsReturn() async throws {
        let rig = try await AlertRig(engine: .postgres)
        var stopped: pid_t?
        do {
            // Two followers: only one of them may speak.
            for _ in 0..<3 { try await rig.startBackend() }
            let leader = try #require(try await rig.leader())
            let follower = (leader + 1) % 3
            let leaderName = try #require(try await Self.readiness(rig, leader)?["backend"] as? String)
            // Both followers beat before the leader stops, so both could speak.
            var followers = 0
            for _ in 0..<100 where followers < 2 {
                followers = try await Self.followers(rig)
                if followers < 2 { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(followers == 2)

            kill(rig.backends[leader].daemon.pid, SIGSTOP)
            stopped = rig.backends[leader].daemon.pid
            let since = Date()
            // Stale after 15 s, looked at every 5 s.
            #expect(try await rig.wait(40) { !rig.delivered().isEmpty })
            // Its last beat came up to 5 s before it stopped: stale 10–15 s after the stop, not before.
            let told = Date().timeIntervalSince(since)
            #expect(told >= 9.5, "told after \(told) s, before the beat was stale")
            let evaluation = try #require(try await Self.readiness(rig, follower))
            #expect(evaluation["leader"] as? String == leaderName)
            #expect(evaluation["leaderStale"] as? Bool == true)
            #expect((evaluation["leaderBeatAgeSeconds"] as? Double ?? 0) >= 15)
            #expect(evaluation["leading"] as? Bool == false)
            // Two more looks of both followers: still one message.
            try await Task.sleep(for: .seconds(11))
            #expect(rig.delivered().count == 1)
            #expect(rig.delivered().first?.text.contains("the evaluation leader \(leaderName) has not beaten") == true)

            kill(rig.backends[leader].daemon.pid, SIGCONT)
            stopped = nil
            #expect(try await rig.wait(30) { rig.delivered().count >= 2 })
            try await Task.sleep(for: .seconds(6))
            let texts = rig.delivered().map(\.text)
            #expect(texts.count == 2)
            #expect(texts.last?.hasPrefix("✅") == true && texts.last?.contains("\(leaderName) beats again") == true)
            #expect(try await Self.readiness(rig, follower)?["leaderStale"] as? Bool == false)
        } catch {
            Issue.record(error)
        }
        if let stopped { kill(stopped, SIGCONT) }
        await rig.finish()
    }

    /// A leader hung longer than LEADER_TAKEOVER_AFTER loses its database session, so its lock:
    /// a follower leads, and the channels hear so. Resumed, the old leader only follows.
    @Test(.enabled(if: Engine.available.contains(.postgres), "needs PostgreSQL (TEST_DATABASE_URL)"))
    func aLeaderHungTooLongLosesItsSessionAndAFollowerLeads() async throws {
        let rig = try await AlertRig(engine: .postgres, settings: ["LEADER_TAKEOVER_AFTER": "30s"])
        var stopped: pid_t?
        do {
            for _ in 0..<2 { try await rig.startBackend() }
            let leader = try #require(try await rig.leader())
            let follower = 1 - leader
            let leaderName = try #require(try await Self.readiness(rig, leader)?["backend"] as? String)
            let followerName = try #require(try await Self.readiness(rig, follower)?["backend"] as? String)
            kill(rig.backends[leader].daemon.pid, SIGSTOP)
            stopped = rig.backends[leader].daemon.pid
            let since = Date()
            #expect(try await rig.wait(70) { rig.delivered().count >= 2 })
            let took = Date().timeIntervalSince(since)
            // Hung for 30 s counts from its last beat, up to 5 s before the stop.
            #expect(took >= 24.5, "took over after \(took) s")
            let texts = rig.delivered().map(\.text)
            #expect(texts.first?.contains("\(leaderName) has not beaten") == true)
            #expect(texts.last == "✅ metrics-backend: \(followerName) leads evaluation now, after \(texts.last?.components(separatedBy: "after ").last ?? "")")
            let evaluation = try await Self.readiness(rig, follower)
            #expect(evaluation?["leading"] as? Bool == true && evaluation?["leader"] as? String == followerName)

            // A heartbeat due a second later: the new leader evaluates it.
            kill(rig.backends[leader].daemon.pid, SIGCONT)
            stopped = nil
            try await rig.report([Observation(name: "backup", kind: .heartbeat, status: "ok", every: 1, grace: 0)], to: follower)
            #expect(try await rig.wait(20) { rig.delivered().count >= 3 })
            try await Task.sleep(for: .seconds(6))
            #expect(rig.delivered().count == 3)
            #expect(rig.delivered().last?.text.contains("missed") == true)
            // Its next beat fails on the ended session (within its 10 s deadline): it follows then.
            var leading: Bool?
            for _ in 0..<40 where leading != false {
                leading = try await Self.readiness(rig, leader)?["leading"] as? Bool
                if leading != false { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(leading == false)
            #expect(rig.delivered().count == 3)
        } catch {
            Issue.record(error)
        }
        if let stopped { kill(stopped, SIGCONT) }
        await rig.finish()
    }

    /// `/readyz`'s `evaluation` object from one backend.
    static func readiness(_ rig: AlertRig, _ index: Int) async throws -> [String: Any]? {
        let outcome = try await EndToEndTests.run("/usr/bin/curl", ["-sS", "--max-time", "5", rig.backends[index].url + "/readyz"], environment: [:])
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        return object?["evaluation"] as? [String: Any]
    }

    /// How many backends beat as followers, as the database says.
    static func followers(_ rig: AlertRig) async throws -> Int {
        let sql = "SELECT count(*) FROM evaluator_beats WHERE NOT leader AND beat_at > now() - interval '10 seconds'"
        let outcome = try await runCommand("/usr/bin/psql", [rig.environment["DATABASE_URL"] ?? "", "-tAc", sql])
        return Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
