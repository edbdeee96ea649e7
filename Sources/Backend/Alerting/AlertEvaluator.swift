import Foundation
import Shared

/// Runs the rules over checks and writes what changes, in the caller's transaction. Ingest uses
/// it for threshold flips, the scheduler for deadlines; both share one definition of a flip.
struct AlertEvaluator: Sendable {
    var settings: AlertSettings
    /// Which channels get each message.
    var routes: RouteTable
    var deadlines: DeadlineQueue

    struct Outcome: Sendable, Equatable {
        var evaluated: [Int64] = []
        var flips = 0
        var messages = 0
        var deliveries = 0
    }

    /// Reads and writes in a fixed number of statements per call, so that many checks flipping
    /// at once (a thousand new hosts, an outage that silences them) cost no round trip each.
    func evaluate(ids: [Int64], now: Date, skipLocked: Bool, in tx: any AlertTransaction) async throws -> Outcome {
        var outcome = Outcome()
        guard !ids.isEmpty else { return outcome }
        let candidates = try await tx.candidates(ids: ids, skipLocked: skipLocked)
        let rules = candidates.map { settings.rules(for: $0.check, tags: $0.hostTags) }
        // Rare: a check at its threshold that is not alerting yet, or a disk that grows.
        var since: [Int64: Date] = [:]
        for (candidate, rules) in zip(candidates, rules) {
            guard let window = sampleWindow(candidate.check, rules: rules) else { continue }
            since[candidate.id] = now.addingTimeInterval(-Double(window + 2 * rules.reportEvery))
        }
        let samples = since.isEmpty ? [:] : try await tx.samples(since: since)
        let verdicts = zip(candidates, rules).map { candidate, rules in
            Rules.evaluate(candidate.check, samples: samples[candidate.id] ?? [], now: now, settings: rules)
        }
        let flipping = zip(candidates, verdicts).filter { $1.state != $0.check.state && !$0.check.paused }.map(\.0.id)
        let recentFlips = flipping.isEmpty ? [:] : try await tx.flipCounts(checkIDs: flipping, since: now.addingTimeInterval(-Double(settings.flapWindow)))
        var decisions: [AlertDecision] = []
        var wakes: [(Int64, Date)] = []
        for (candidate, verdict) in zip(candidates, verdicts) {
            outcome.evaluated.append(candidate.id)
            var next = candidate
            if var decision = AlertPolicy.decide(candidate, verdict: verdict, now: now, recentFlips: recentFlips[candidate.id] ?? 0, settings: settings) {
                if let message = decision.message { decision.deliveries = routes.deliveries(for: message) }
                outcome.deliveries += decision.deliveries.count
                decisions.append(decision)
                if decision.flip != nil { outcome.flips += 1 }
                if decision.message != nil { outcome.messages += 1 }
                next.check.state = decision.state
                next.check.since = decision.since
                next.notifiedState = decision.notifiedState
                next.notifiedAt = decision.notifiedAt
                next.flappingSince = decision.flappingSince
            }
            if let wake = AlertPolicy.nextWake(next, now: now, settings: settings) { wakes.append((candidate.id, wake)) }
        }
        if !decisions.isEmpty { try await tx.write(decisions) }
        for (id, wake) in wakes { deadlines.push(id, at: wake) }
        return outcome
    }

    /// At ingest: runs the rules on each check as the report shows it, and evaluates in full
    /// (locked row, samples, flip history) only those whose state could change, so the common
    /// report of unchanged, healthy checks costs no extra reads. `now`: the batch's latest arrival.
    func evaluate(written: [WrittenCheck], now: Date, in tx: any AlertTransaction) async throws -> Outcome {
        var ids: [Int64] = []
        var unchanged: [Int64] = []
        unchanged.reserveCapacity(written.count)
        for check in written {
            // A report that does not tell its host's tags (a ping) leaves tag rules unknown here.
            let tagsKnown = check.hostTags != nil || !settings.picksByTag
            guard !check.flapping, check.state == check.notifiedState, tagsKnown else {
                ids.append(check.id)
                continue
            }
            var record = check.reported
            record.state = check.state
            let rules = settings.rules(for: record, tags: check.hostTags ?? [])
            if sampleWindow(record, rules: rules) != nil || Rules.evaluate(record, samples: [], now: now, settings: rules).state != check.state {
                ids.append(check.id)
            } else if check.isNew {
                // Just inserted, its row holds only what the report says: its wake time is known.
                let candidate = AlertCandidate(
                    id: check.id, check: record, notifiedState: check.notifiedState, flappingSince: nil, notifiedAt: nil, hostDown: false,
                    hostTags: check.hostTags ?? [])
                if let wake = AlertPolicy.nextWake(candidate, now: now, settings: settings) { deadlines.push(check.id, at: wake) }
            } else {
                // Unchanged; the scheduler learns its new deadline when it next looks.
                unchanged.append(check.id)
            }
        }
        deadlines.pushIfAbsent(unchanged, at: now.addingTimeInterval(1))
        return try await evaluate(ids: ids, now: now, skipLocked: false, in: tx)
    }

    /// Reports per prediction, on average: a disk reporting every minute is predicted about hourly,
    /// soon enough for a 24-hour horizon. One in ten halved ingest's throughput (`bench/ingest-report.sh`).
    static let fillEvery: UInt64 = 60

    /// Whether the report of this check at this second predicts: about one in `fillEvery`. FNV-1a,
    /// the same in every process, so every backend sharing a database picks the same reports.
    static func fillDue(_ observedAt: Date, key: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let second = UInt64(bitPattern: Int64(observedAt.timeIntervalSince1970.rounded(.down)))
        for byte in Array(key.utf8) + (0..<8).map({ UInt8(truncatingIfNeeded: second >> ($0 * 8)) }) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash % fillEvery == 0
    }

    /// How many seconds of samples the rule needs for this check; nil: none. Only a check that
    /// could start alerting on a sustained value needs them, so the common report reads none.
    private func sampleWindow(_ check: CheckRecord, rules: RuleSettings) -> Int? {
        let value = check.value ?? 0
        guard check.value != nil else { return nil }
        switch check.kind {
        case .memory where check.state != .alert && value >= rules.memoryAlertAt: return rules.memorySustain
        case .load where check.state != .alert && value >= rules.loadAlertAt: return rules.loadSustain
        case .cpu where check.state != .alert && value >= rules.cpuAlertAt: return rules.cpuSustain
        case .net where check.state != .alert && value >= rules.netAlertAt: return rules.netSustain
        case .gauge where check.state != .alert && rules.gaugeFor > 0
            && (value > (rules.gaugeAbove ?? .infinity) || value < (rules.gaugeBelow ?? -.infinity)): return rules.gaugeFor
        // Six hours of samples per disk per report would cost ingest dearly. Only a disk the
        // thresholds leave to the prediction is predicted: with about one report in 60 (chosen by
        // a hash of check and time, so a fleet's disks do not all read at once, whatever their
        // interval), or at every report while an alert only the prediction holds.
        case .disk where rules.diskFillWithin != nil && value >= rules.diskFillFrom && value <= rules.diskAlertAbove:
            let due = check.state == .alert
                ? value < rules.diskClearBelow : Self.fillDue(check.observedAt, key: check.host + "/" + check.name)
            return due ? rules.diskFillWindow : nil
        // Bad sectors: any count above zero may have grown within the window.
        case .smart where value > 0: return rules.smartGrowthWindow
        default: return nil
        }
    }
}
