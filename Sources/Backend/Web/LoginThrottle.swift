import Foundation

/// Slows password guessing: after `freeAttempts` failures for one key (an email, an address)
/// within `window`, each further attempt waits twice as long as the last, up to `maxLockout`.
/// The records live in the store, so a restart forgets nothing and backends on one PostgreSQL
/// share them. Only attempts that reach a password check write: a locked key is refused after
/// one read, so a flood costs the store one write per free attempt and lockout of each attacker.
struct LoginThrottle: Sendable {
    let store: any LoginRecordRepository
    let freeAttempts: Int
    var window: TimeInterval = 900
    var maxLockout: TimeInterval = 900

    /// Takes an attempt for `key`, or answers the seconds to wait. The attempt counts as a failure
    /// at once, before the slow password check, so parallel guesses cannot all slip past the
    /// first failure; `giveBack` returns it.
    func reserve(key: String, now: Date = Date()) async throws -> Int? {
        let now = Date(microseconds: now.microseconds)  // as the store keeps it, so giveBack finds it
        let (free, window, maxLockout) = (freeAttempts, window, maxLockout)
        return try await store.updateLoginRecord(key: key) { stored in
            var record = stored ?? LoginRecord()
            if let until = record.lockedUntil, until > now {
                // To the millisecond first: a time read back from the database may be a hair off.
                return max(1, Int(((until.timeIntervalSince(now) * 1000).rounded() / 1000).rounded(.up)))
            }
            record.failures = record.failures.filter { now.timeIntervalSince($0) < window } + [now]
            record.lock(freeAttempts: free, maxLockout: maxLockout, now: now)
            stored = record
            return nil
        }
    }

    /// Gives back the attempt reserved at `reservedAt`: it succeeded (an address, whose other
    /// guesses still count), or no password was checked.
    func giveBack(key: String, reservedAt: Date) async throws {
        let reservedAt = Date(microseconds: reservedAt.microseconds)
        let (free, maxLockout) = (freeAttempts, maxLockout)
        try await store.updateLoginRecord(key: key) { stored in
            guard var record = stored else { return }
            if let index = record.failures.lastIndex(of: reservedAt) { record.failures.remove(at: index) }
            record.lockedUntil = nil
            record.lock(freeAttempts: free, maxLockout: maxLockout, now: reservedAt)
            stored = record.failures.isEmpty ? nil : record
        }
    }

    /// Forgets the key's failures: an email that logged in.
    func forget(key: String) async throws {
        try await store.updateLoginRecord(key: key) { $0 = nil }
    }
}
