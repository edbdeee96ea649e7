import Foundation
import Synchronization

/// Slows password guessing: after `freeAttempts` failures for one email or from one address
/// within `window`, each further attempt waits twice as long as the last, up to `maxLockout`.
/// In memory: a restart forgets it, which costs an attacker a restart per few guesses.
final class LoginThrottle: Sendable {
    struct Record {
        var failures: [Date] = []
        var lockedUntil: Date?
    }

    let freeAttempts: Int
    let window: TimeInterval
    let maxLockout: TimeInterval
    private let records = Mutex<[String: Record]>([:])
    private let maxKeys = 100_000

    init(freeAttempts: Int = 5, window: TimeInterval = 900, maxLockout: TimeInterval = 900) {
        self.freeAttempts = freeAttempts
        self.window = window
        self.maxLockout = maxLockout
    }

    /// Takes an attempt for every key, or answers the seconds to wait. The attempt counts as a
    /// failure at once, before the slow password check, so parallel guesses cannot all slip past
    /// the first failure; `succeeded` gives it back.
    func reserve(keys: [String], now: Date = Date()) -> Int? {
        records.withLock { records in
            let waits = keys.compactMap { records[$0]?.lockedUntil }.map { $0.timeIntervalSince(now) }.filter { $0 > 0 }
            if let wait = waits.max() { return Int(wait.rounded(.up)) }
            if records.count >= maxKeys { records = records.filter { $0.value.lockedUntil.map { $0 > now } ?? false } }
            for key in keys {
                var record = records[key] ?? Record()
                record.failures = record.failures.filter { now.timeIntervalSince($0) < window } + [now]
                record.lock(freeAttempts: freeAttempts, maxLockout: maxLockout, now: now)
                records[key] = record
            }
            return nil
        }
    }

    /// Gives back the attempt reserved at `reservedAt`: it succeeded (an address, whose other
    /// guesses still count), or no password was checked.
    func giveBack(keys: [String], reservedAt: Date) {
        records.withLock { records in
            for key in keys {
                guard var record = records[key] else { continue }
                if let index = record.failures.lastIndex(of: reservedAt) { record.failures.remove(at: index) }
                record.lockedUntil = nil
                record.lock(freeAttempts: freeAttempts, maxLockout: maxLockout, now: reservedAt)
                records[key] = record.failures.isEmpty ? nil : record
            }
        }
    }

    /// Forgets the keys' failures: an email that logged in.
    func forget(keys: [String]) {
        records.withLock { records in for key in keys { records[key] = nil } }
    }
}

extension LoginThrottle.Record {
    /// Past the free attempts each further one waits twice as long as the last.
    mutating func lock(freeAttempts: Int, maxLockout: TimeInterval, now: Date) {
        let over = failures.count - freeAttempts
        if over > 0 { lockedUntil = now.addingTimeInterval(min(maxLockout, pow(2, Double(over - 1)))) }
    }
}
