import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Bcrypt verification, about 0.25 s of CPU, on a thread of its own. On Swift's cooperative
/// threads (one per core) or NIO's shared pool (which SQLite's calls use) a few logins at once
/// stalled every report for as long; here a flood of logins waits for each other instead, and
/// at most `maxWaiting` logins are under way: more are refused at once, so a flood cannot queue
/// for hours nor reach the store.
final class PasswordCheck: Sendable {
    struct Busy: Error {}

    let maxWaiting: Int
    private let waiting = Atomic<Int>(0)

    init(maxWaiting: Int = 16) {
        self.maxWaiting = maxWaiting
    }

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// bcrypt's work factor for every stored password: about a quarter of a second per login.
    static let bcryptCost: UInt8 = 12

    /// Checked when the email is unknown, so that case takes as long as a wrong password.
    private static let decoyHash = Bcrypt.hash("decoy password that never matches", cost: bcryptCost)

    /// Runs a login in one of `maxWaiting` slots; throws `Busy` at once when all are taken, before
    /// the login costs anything.
    func admit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard waiting.add(1, ordering: .relaxed).newValue <= maxWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            throw Busy()
        }
        defer { waiting.subtract(1, ordering: .relaxed) }
        return try await body()
    }

    /// `hash` nil (no such user) checks against the decoy and answers false.
    func verify(_ password: String, hash: String?) async throws -> Bool {
        try await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash ?? Self.decoyHash) && hash != nil }
    }
}
