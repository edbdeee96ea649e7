import HummingbirdBcrypt
import NIOPosix

/// Bcrypt verification, about 0.25 s of CPU, on a thread of its own. On Swift's cooperative
/// threads (one per core) or NIO's shared pool (which SQLite's calls use) a few logins at once
/// stalled every report for as long; here a flood of logins waits for each other instead.
enum PasswordCheck {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// Checked when the email is unknown, so that case takes as long as a wrong password.
    private static let decoyHash = Bcrypt.hash("decoy password that never matches", cost: UserCommand.bcryptCost)

    /// `hash` nil (no such user) checks against the decoy and answers false.
    static func verify(_ password: String, hash: String?) async throws -> Bool {
        try await pool.runIfActive { Bcrypt.verify(password, hash: hash ?? decoyHash) && hash != nil }
    }
}
