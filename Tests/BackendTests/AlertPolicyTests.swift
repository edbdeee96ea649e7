import Foundation
import Shared
import Testing
@testable import Backend

/// The policy alone: which verdicts become flips, which flips become messages.
@Suite struct AlertPolicyTests {
    static let now = RulesTests.now

    static func candidate(_ kind: CheckKind = .disk, state: CheckState = .ok, notified: CheckState? = nil, since: TimeInterval = 600,
                          silencedFor: TimeInterval? = nil, hostDown: Bool = false, flapping: Bool = false) -> AlertCandidate {
        var check = RulesTests.check(kind, value: 50, state: state)
        check.since = now.addingTimeInterval(-since)
        check.silencedUntil = silencedFor.map { now.addingTimeInterval($0) }
        return AlertCandidate(id: 1, check: check, notifiedState: notified ?? state, flappingSince: flapping ? check.since : nil,
                              notifiedAt: nil, hostDown: hostDown)
    }

    static func decide(_ candidate: AlertCandidate, _ verdict: Verdict, flips: Int = 0, settings: AlertSettings = AlertSettings()) -> AlertDecision? {
        AlertPolicy.decide(candidate, verdict: verdict, now: now, recentFlips: flips, settings: settings)
    }

    @Test func aFlipIsOneMessageAndTheSameStateNone() throws {
        let decision = try #require(Self.decide(Self.candidate(), .alert("95% used, above 90%")))
        #expect(decision.flip?.from == .ok && decision.flip?.to == .alert)
        #expect(decision.message?.kind == .problem)
        #expect(decision.message?.reason == "95% used, above 90%")
        #expect(decision.notifiedState == .alert)
        #expect(Self.decide(Self.candidate(state: .alert), .alert("96% used")) == nil)
        #expect(Self.decide(Self.candidate(), .ok("50% used")) == nil)
    }

    @Test func aRecoverySaysHowLongTheProblemLasted() throws {
        let decision = try #require(Self.decide(Self.candidate(state: .alert, since: 7500), .ok("80% used")))
        #expect(decision.message?.kind == .recovery)
        #expect(decision.message?.duration == 7500)
        #expect(GroupText(NotificationGroup(single: try #require(decision.message))).render(.html).hasSuffix("80% used; the problem lasted 2 h 5 min"))
    }

    @Test func aSilenceMutesProblemsButNotTheRecoveryOfOneAlreadyHeard() throws {
        let muted = try #require(Self.decide(Self.candidate(silencedFor: 3600), .alert("95% used")))
        #expect(muted.flip != nil && muted.message == nil)
        #expect(muted.notifiedState == .ok)
        // Alerting and heard before the silence: its recovery still goes out.
        let recovery = try #require(Self.decide(Self.candidate(state: .alert, silencedFor: 3600), .ok("80% used")))
        #expect(recovery.message?.kind == .recovery)
        // Alerting only during the silence: the user never heard, so nothing to recover from.
        let quiet = try #require(Self.decide(Self.candidate(state: .alert, notified: .ok, silencedFor: 3600), .ok("80% used")))
        #expect(quiet.message == nil)
    }

    @Test func whenASilenceEndsTheUserHearsWhatStillHolds() throws {
        // Alerting since during the silence, which is over now: one message, without a flip.
        let decision = try #require(Self.decide(Self.candidate(state: .alert, notified: .ok, silencedFor: -1), .alert("95% used")))
        #expect(decision.flip == nil)
        #expect(decision.message?.kind == .problem)
    }

    @Test func aDownHostMutesItsChecksNoData() throws {
        let check = try #require(Self.decide(Self.candidate(.memory, hostDown: true), .noData("no data: nothing for 5 min")))
        #expect(check.flip?.to == .noData && check.message == nil)
        // The host's own check is what the user hears.
        var host = Self.candidate(.memory)
        host.check.kind = .host
        host.hostDown = true
        #expect(try #require(Self.decide(host, .alert("host down"))).message?.kind == .problem)
        // A real problem on a down host's check is not muted.
        #expect(try #require(Self.decide(Self.candidate(hostDown: true), .alert("95% used"))).message != nil)
    }

    @Test func flappingGivesOneNoticeThenHoldsUntilStable() throws {
        var settings = AlertSettings()
        settings.flapFlips = 3
        let notice = try #require(Self.decide(Self.candidate(state: .alert), .ok("80%"), flips: 3, settings: settings))
        #expect(notice.message?.kind == .flapping)
        #expect(notice.flappingSince == Self.now)
        #expect(notice.notifiedState == .alert)
        // While flapping, flips are kept but nobody is told.
        let held = try #require(Self.decide(Self.candidate(state: .ok, notified: .alert, since: 60, flapping: true), .alert("95%"), flips: 5, settings: settings))
        #expect(held.flip != nil && held.message == nil)
        // Stable for the window: flapping ends, and the user hears the state if it differs.
        let stable = try #require(Self.decide(Self.candidate(state: .ok, notified: .alert, since: 1800, flapping: true), .ok("80%"), settings: settings))
        #expect(stable.flappingSince == nil)
        #expect(stable.message?.kind == .recovery)
    }

    @Test func aPausedCheckNeverChanges() {
        var paused = Self.candidate()
        paused.check.paused = true
        #expect(Self.decide(paused, .alert("95% used")) == nil)
        #expect(AlertPolicy.nextWake(paused, now: Self.now, settings: AlertSettings()) == nil)
    }

    @Test func remindersComeWhileStillAlerting() throws {
        var settings = AlertSettings()
        settings.remindEvery = 3600
        var candidate = Self.candidate(state: .alert)
        candidate.notifiedAt = Self.now.addingTimeInterval(-3600)
        #expect(try #require(Self.decide(candidate, .alert("95% used"), settings: settings)).message?.kind == .reminder)
        candidate.notifiedAt = Self.now.addingTimeInterval(-60)
        #expect(Self.decide(candidate, .alert("95% used"), settings: settings) == nil)
    }

    @Test func theNextWakeIsTheDeadlineOrTheEndOfASilence() {
        // A heartbeat seen 10 s ago, every 60 s, no grace: due in 50 s.
        var heartbeat = Self.candidate(.heartbeat)
        heartbeat.check.every = 60
        heartbeat.check.grace = 0
        #expect(AlertPolicy.nextWake(heartbeat, now: Self.now, settings: AlertSettings()) == Self.now.addingTimeInterval(50))
        // Already alerting as missed: nothing to wait for but a ping.
        heartbeat.check.lastSeen = Self.now.addingTimeInterval(-120)
        heartbeat.check.state = .alert
        #expect(AlertPolicy.nextWake(heartbeat, now: Self.now, settings: AlertSettings()) == nil)
        // Silenced for an hour: the deadline restarts from the silence's end.
        heartbeat.check.state = .ok
        heartbeat.check.silencedUntil = Self.now.addingTimeInterval(3600)
        #expect(AlertPolicy.nextWake(heartbeat, now: Self.now, settings: AlertSettings()) == Self.now.addingTimeInterval(3600))
        #expect(Rules.deadline(heartbeat.check) == Self.now.addingTimeInterval(3660))
    }

    @Test func telegramTextIsEscapedHTML() {
        let event = NotificationMessage(kind: .problem, host: "db&<1>", check: "disk:/data #1 <x>", checkKind: .disk, from: .ok, to: .alert,
                              value: 95, unit: "%", reason: "95% used, above 90%", at: Self.now, duration: nil,
                              link: "https://m.example/hosts/db?check=a&b")
        let html = GroupText(NotificationGroup(single: event)).render(.html)
        #expect(html.contains("<b>db&amp;&lt;1&gt;</b>"))
        #expect(html.contains("<code>disk:/data #1 &lt;x&gt;</code>"))
        #expect(html.contains("href=\"https://m.example/hosts/db?check=a&amp;b\""))
        #expect(!html.contains("<x>"))
    }
}
