import Foundation
import Shared

/// Turns a rule's verdict into what changes: a flip when the state changes, a message when the
/// user must hear of it. The user hears of every difference between the state now and the state
/// they heard last, unless a silence, a down host or flapping holds it back; a recovery of a
/// problem they heard of always goes out. Pure, like the rules.
enum AlertPolicy {
    /// `recentFlips`: flips of the check within the flap window, before this evaluation.
    static func decide(_ candidate: AlertCandidate, verdict: Verdict, now: Date, recentFlips: Int, settings: AlertSettings) -> AlertDecision? {
        let check = candidate.check
        guard !check.paused else { return nil }
        var decision = AlertDecision(
            candidate: candidate, state: check.state, since: check.since, notifiedState: candidate.notifiedState,
            notifiedAt: candidate.notifiedAt, flappingSince: candidate.flappingSince)
        var startsFlapping = false
        if verdict.state != check.state {
            decision.flip = Flip(host: check.host, check: check.name, at: now, from: check.state, to: verdict.state, value: check.value, reason: verdict.reason)
            decision.state = verdict.state
            decision.since = now
            if candidate.flappingSince == nil && recentFlips + 1 > settings.flapFlips {
                decision.flappingSince = now
                startsFlapping = true
            }
        } else if candidate.flappingSince != nil && now.timeIntervalSince(check.since) >= Double(settings.flapWindow) {
            decision.flappingSince = nil
        }

        let muted = isMuted(candidate, state: decision.state, now: now, settings: settings)
        func event(_ kind: NotificationMessage.Kind, reason: String) -> NotificationMessage {
            NotificationMessage(
                kind: kind, host: check.host, check: check.name, checkKind: check.kind, from: candidate.notifiedState, to: decision.state,
                value: check.value, unit: check.unit, reason: reason, at: now,
                duration: kind == .recovery ? now.timeIntervalSince(check.since) : nil, link: link(check, settings: settings),
                tags: candidate.hostTags.isEmpty ? nil : candidate.hostTags)
        }
        if startsFlapping {
            if !muted {
                let window = Durations.words(Double(settings.flapWindow))
                decision.message = event(.flapping, reason: "flipped \(recentFlips + 1) times within \(window); holding messages until it is stable for \(window)")
            }
        } else if decision.flappingSince == nil && decision.state != decision.notifiedState {
            if !muted || decision.state == .ok {
                decision.message = event(decision.state == .ok ? .recovery : .problem, reason: verdict.reason)
                decision.notifiedState = decision.state
                decision.notifiedAt = now
            }
        } else if let every = settings.remindEvery, decision.flappingSince == nil, !muted, decision.state != .ok,
                  let last = candidate.notifiedAt, now.timeIntervalSince(last) >= Double(every) {
            decision.message = event(.reminder, reason: "still: \(verdict.reason)")
            decision.notifiedAt = now
        }

        let changed = decision.flip != nil || decision.message != nil || decision.flappingSince != candidate.flappingSince
        return changed ? decision : nil
    }

    static func isMuted(_ candidate: AlertCandidate, state: CheckState, now: Date, settings: AlertSettings) -> Bool {
        if mutedUntil(candidate, now: now, settings: settings) != nil { return true }
        return candidate.hostDown && candidate.check.kind != .host && (state == .noData || candidate.notifiedState == .noData)
    }

    /// Until when the user hears nothing of this check: its silence, or the maintenance window
    /// it is in. Nil: neither holds now.
    static func mutedUntil(_ candidate: AlertCandidate, now: Date, settings: AlertSettings) -> Date? {
        let silence = candidate.check.silencedUntil.flatMap { $0 > now ? $0 : nil }
        return [silence, settings.maintenanceUntil(candidate.check, tags: candidate.hostTags, now: now)].compactMap { $0 }.max()
    }

    /// When evaluating this check next could change something without a new report: its
    /// deadline, the end of its silence, maintenance window or flapping, a reminder (held until
    /// the mute ends). Nil: only a report can.
    static func nextWake(_ candidate: AlertCandidate, now: Date, settings: AlertSettings) -> Date? {
        let check = candidate.check
        guard !check.paused else { return nil }
        var times: [Date] = []
        let deadline = Rules.deadline(check, settings: settings.rules(for: check, tags: candidate.hostTags))
        if deadline > now || check.state != Rules.staleState(check) { times.append(deadline) }
        let muted = mutedUntil(candidate, now: now, settings: settings)
        if let muted { times.append(muted) }
        if candidate.flappingSince != nil { times.append(check.since.addingTimeInterval(Double(settings.flapWindow))) }
        if let every = settings.remindEvery, check.state != .ok, candidate.notifiedState == check.state, let last = candidate.notifiedAt {
            times.append(max(last.addingTimeInterval(Double(every)), muted ?? .distantPast))
        }
        return times.min()
    }

    /// The check's page; for a log rule's check, the host's journal around the matching entry.
    static func link(_ check: CheckRecord, settings: AlertSettings) -> String? {
        guard let base = settings.publicURL else { return nil }
        if check.kind == .journal, let text = check.details?["at"]?.stringValue, let at = Report.parseTime(text) {
            return (base.hasSuffix("/") ? String(base.dropLast()) : base) + URLText.journal(host: check.host, around: at)
        }
        let host = check.host.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? check.host
        let name = check.name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+", "#"])) ?? check.name
        return "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/hosts/\(host)?check=\(name)"
    }
}
