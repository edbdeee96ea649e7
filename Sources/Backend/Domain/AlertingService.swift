import Foundation

/// Alerting above the engines: evaluates checks in the store's transactions, keeps their
/// deadlines, applies silences and pauses, and wakes delivery once a flip's messages committed.
struct AlertingService: Sendable {
    let store: any AlertRepository
    let evaluator: AlertEvaluator
    /// Woken when messages committed: the delivery worker starts at once.
    let outbox: WakeSignal

    init(store: any AlertRepository, settings: AlertSettings = AlertSettings(), channels: [String] = [], outbox: WakeSignal = WakeSignal()) {
        self.store = store
        evaluator = AlertEvaluator(settings: settings, routes: RouteTable(channels: channels, routes: settings.routes), deadlines: DeadlineQueue())
        self.outbox = outbox
    }

    var deadlines: DeadlineQueue { evaluator.deadlines }
    var settings: AlertSettings { evaluator.settings }

    /// Evaluates these checks now (their deadlines passed), each in the transaction that writes its flip.
    func evaluate(ids: [Int64], now: Date) async throws -> AlertEvaluator.Outcome {
        let evaluator = self.evaluator
        let outcome = try await store.withAlertTransaction { tx in
            try await evaluator.evaluate(ids: ids, now: now, skipLocked: true, in: tx)
        }
        committed(outcome)
        return outcome
    }

    /// When every check must be evaluated next: the scheduler's full rescan.
    func wakeTimes(now: Date) async throws -> [(id: Int64, at: Date)] {
        var times: [(id: Int64, at: Date)] = []
        let settings = self.settings
        try await store.eachAlertCandidate { candidate in
            if let at = AlertPolicy.nextWake(candidate, now: now, settings: settings) { times.append((candidate.id, at)) }
        }
        return times
    }

    /// Silences one check, or all of a host's, until a time (nil lifts it); returns how many.
    func silence(host: String, check: String?, until: Date?, now: Date) async throws -> Int {
        let ids = try await store.setSilence(host: host, check: check, until: until)
        // At its end a silence may owe the user a message.
        for id in ids { deadlines.push(id, at: max(until ?? now, now)) }
        return ids.count
    }

    /// Pauses or resumes; returns how many checks.
    func pause(host: String, check: String?, paused: Bool, now: Date) async throws -> Int {
        // Resuming starts a fresh window, as the end of a silence does.
        let ids = try await store.setPaused(host: host, check: check, paused: paused, silencedAtLeastUntil: paused ? nil : now)
        if !paused { for id in ids { deadlines.push(id, at: now) } }
        return ids.count
    }

    /// Call after the transaction that holds `outcome` committed.
    func committed(_ outcome: AlertEvaluator.Outcome) {
        BackendMetrics.shared.evaluated(flips: outcome.flips, messages: outcome.messages)
        if outcome.deliveries > 0 { outbox.wake() }
    }
}
