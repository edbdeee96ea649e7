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

    /// Seconds to wait before another attempt for any of these keys; nil when one may try now.
    func wait(keys: [String], now: Date = Date()) -> Int? {
        records.withLock { records in
            let waits = keys.compactMap { records[$0]?.lockedUntil }.map { $0.timeIntervalSince(now) }.filter { $0 > 0 }
            return waits.max().map { Int($0.rounded(.up)) }
        }
    }

    func failed(keys: [String], now: Date = Date()) {
        records.withLock { records in
            if records.count >= maxKeys { records = records.filter { $0.value.lockedUntil.map { $0 > now } ?? false } }
            for key in keys {
                var record = records[key] ?? Record()
                record.failures = record.failures.filter { now.timeIntervalSince($0) < window } + [now]
                let over = record.failures.count - freeAttempts
                if over > 0 { record.lockedUntil = now.addingTimeInterval(min(maxLockout, pow(2, Double(over - 1)))) }
                records[key] = record
            }
        }
    }

    func succeeded(keys: [String]) {
        records.withLock { records in for key in keys { records[key] = nil } }
    }
}
