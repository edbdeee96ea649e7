import Foundation
import Shared

/// What the evaluator needs from an engine, inside the one transaction that also holds the
/// report (at ingest) or the deadline's evaluation (in the scheduler).
protocol AlertTransaction {
    /// These checks as candidates. With `skipLocked`, checks another transaction is writing are
    /// left out: that transaction evaluates them itself.
    func candidates(ids: [Int64], skipLocked: Bool) async throws -> [AlertCandidate]
    func samples(checkID: Int64, since: Date) async throws -> [SampleRecord]
    /// How often each of these checks flipped since a time; a check that did not is left out.
    func flipCounts(checkIDs: [Int64], since: Date) async throws -> [Int64: Int]
    /// Writes each decision's check columns, its flip, and one outbox row per channel for its
    /// message, in a fixed number of statements however many there are.
    func write(_ decisions: [AlertDecision], channels: [String]) async throws
}

/// Runs the rules over checks and writes what changes, in the caller's transaction. Ingest uses
/// it for threshold flips, the scheduler for deadlines; both share one definition of a flip.
struct AlertEvaluator: Sendable {
    var settings: AlertSettings
    /// Outbox channel names: `telegram:<chat>`, `webhook`.
    var channels: [String]
    var deadlines: DeadlineQueue
    var outbox: WakeSignal

    init(settings: AlertSettings = AlertSettings(), channels: [String] = [], deadlines: DeadlineQueue = DeadlineQueue(), outbox: WakeSignal = WakeSignal()) {
        self.settings = settings
        self.channels = channels
        self.deadlines = deadlines
        self.outbox = outbox
    }

    struct Outcome: Sendable, Equatable {
        var evaluated: [Int64] = []
        var flips = 0
        var messages = 0
    }

    /// Reads and writes in a fixed number of statements per call, so that many checks flipping
    /// at once (a thousand new hosts, an outage that silences them) cost no round trip each.
    func evaluate(ids: [Int64], now: Date, skipLocked: Bool, in tx: some AlertTransaction) async throws -> Outcome {
        var outcome = Outcome()
        guard !ids.isEmpty else { return outcome }
        let candidates = try await tx.candidates(ids: ids, skipLocked: skipLocked)
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(candidates.count)
        for candidate in candidates {
            let check = candidate.check
            let rules = settings.rules(for: check)
            var samples: [SampleRecord] = []
            if needsSamples(check, rules: rules) {
                // Rare: a memory check at its threshold that is not alerting yet.
                let window = Double(rules.memorySustain + 2 * rules.reportEvery)
                samples = try await tx.samples(checkID: candidate.id, since: now.addingTimeInterval(-window))
            }
            verdicts.append(Rules.evaluate(check, samples: samples, now: now, settings: rules))
        }
        let flipping = zip(candidates, verdicts).filter { $1.state != $0.check.state && !$0.check.paused }.map(\.0.id)
        let recentFlips = flipping.isEmpty ? [:] : try await tx.flipCounts(checkIDs: flipping, since: now.addingTimeInterval(-Double(settings.flapWindow)))
        var decisions: [AlertDecision] = []
        var wakes: [(Int64, Date)] = []
        for (candidate, verdict) in zip(candidates, verdicts) {
            outcome.evaluated.append(candidate.id)
            var next = candidate
            if let decision = AlertPolicy.decide(candidate, verdict: verdict, now: now, recentFlips: recentFlips[candidate.id] ?? 0, settings: settings) {
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
        if !decisions.isEmpty { try await tx.write(decisions, channels: channels) }
        for (id, wake) in wakes { deadlines.push(id, at: wake) }
        return outcome
    }

    /// A check an ingest statement just wrote, with what the evaluator needs to tell whether it
    /// can change at all.
    struct Written: Sendable {
        var id: Int64
        var host: String
        var name: String
        var state: CheckState
        var notifiedState: CheckState
        var flapping: Bool
        var isNew: Bool
        /// The check as the batch's newest report of it shows it, when the engine knows which
        /// report that is; otherwise the evaluator looks it up by host and name.
        var reported: CheckRecord? = nil
    }

    /// At ingest: runs the rules on each check as the report shows it, and evaluates in full
    /// (locked row, samples, flip history) only those whose state could change, so the common
    /// report of unchanged, healthy checks costs no extra reads.
    func evaluate(written: [Written], reported: (_ host: String, _ name: String) -> CheckRecord?, now: Date, in tx: some AlertTransaction) async throws -> Outcome {
        var ids: [Int64] = []
        var unchanged: [Int64] = []
        unchanged.reserveCapacity(written.count)
        for check in written {
            guard !check.flapping, check.state == check.notifiedState, var record = check.reported ?? reported(check.host, check.name) else {
                ids.append(check.id)
                continue
            }
            record.state = check.state
            let rules = settings.rules(for: record)
            if needsSamples(record, rules: rules) || Rules.evaluate(record, samples: [], now: now, settings: rules).state != check.state {
                ids.append(check.id)
            } else if check.isNew {
                // Just inserted, its row holds only what the report says: its wake time is known.
                let candidate = AlertCandidate(id: check.id, check: record, notifiedState: check.notifiedState, flappingSince: nil, notifiedAt: nil, hostDown: false)
                if let wake = AlertPolicy.nextWake(candidate, now: now, settings: settings) { deadlines.push(check.id, at: wake) }
            } else {
                // Unchanged; the scheduler learns its new deadline when it next looks.
                unchanged.append(check.id)
            }
        }
        deadlines.pushIfAbsent(unchanged, at: now.addingTimeInterval(1))
        return try await evaluate(ids: ids, now: now, skipLocked: false, in: tx)
    }

    /// At ingest of a batch: the checks written, as its reports show them. A check in several
    /// reports of the batch was written with the newest one's values; `now` is the latest arrival.
    func evaluate(written: [Written], batch: [ReportBatcher.Pending], in tx: some AlertTransaction) async throws -> Outcome {
        var byName: [String: [String: CheckRecord]]?
        func reported(_ host: String, _ name: String) -> CheckRecord? {
            if byName == nil {
                var checks: [String: [String: CheckRecord]] = [:]
                for (rows, receivedAt) in batch.sorted(by: { $0.rows.sentAt < $1.rows.sentAt }) {
                    checks[rows.host, default: [:]].merge(rows.reported(receivedAt: receivedAt)) { $1 }
                }
                byName = checks
            }
            return byName?[host]?[name]
        }
        let now = batch.map(\.receivedAt).max() ?? Date()
        return try await evaluate(written: written, reported: reported, now: now, in: tx)
    }

    /// Call after the transaction committed: the delivery worker starts at once.
    func committed(_ outcome: Outcome) {
        BackendMetrics.shared.evaluated(flips: outcome.flips, messages: outcome.messages)
        if outcome.messages > 0 && !channels.isEmpty { outbox.wake() }
    }

    /// Only a memory check that could start alerting needs its recent samples.
    private func needsSamples(_ check: CheckRecord, rules: RuleSettings) -> Bool {
        check.kind == ObservationKind.memory.rawValue && check.state != .alert && (check.value ?? 0) >= rules.memoryAlertAt
    }
}
