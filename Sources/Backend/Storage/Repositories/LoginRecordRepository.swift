import Foundation

/// One key's failed logins, and until when it is locked.
struct LoginRecord: Sendable, Equatable {
    var failures: [Date] = []
    var lockedUntil: Date?

    /// Past the free attempts each further one waits twice as long as the last.
    mutating func lock(freeAttempts: Int, maxLockout: TimeInterval, now: Date) {
        let over = failures.count - freeAttempts
        if over > 0 { lockedUntil = now.addingTimeInterval(min(maxLockout, pow(2, Double(over - 1)))) }
    }
}

/// Where login records are kept: both engines implement it.
protocol LoginRecordRepository: Sendable {
    /// Reads `key`'s record, lets `change` edit it (nil: none, and none is kept), and writes back
    /// what it left, as one step no other backend can interleave with.
    func updateLoginRecord<T: Sendable>(key: String, _ change: @escaping @Sendable (inout LoginRecord?) -> T) async throws -> T
}
