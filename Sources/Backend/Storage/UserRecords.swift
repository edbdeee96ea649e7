import Foundation

/// Someone who may log in to the pages. The password is kept only as a bcrypt hash.
struct UserRecord: Sendable, Equatable {
    var id: Int64
    var email: String
    var passwordHash: String
}

/// A logged-in browser. The cookie's value is never stored, only its SHA-256 (`idHash`).
struct SessionRecord: Sendable, Equatable {
    var idHash: String
    var userID: Int64
    var email: String
    /// Every state-changing form of this session must carry it.
    var csrfToken: String
    var createdAt: Date
    var expiresAt: Date
}

/// Users and sessions, for the pages. Both engines implement it.
protocol UserStore: Sendable {
    /// False when a user with this email (any case) exists already.
    func createUser(email: String, passwordHash: String, now: Date) async throws -> Bool
    func user(email: String) async throws -> UserRecord?
    func createSession(_ session: SessionRecord) async throws
    /// The live session with this hash; nil when unknown or expired.
    func session(idHash: String, now: Date) async throws -> SessionRecord?
    func deleteSession(idHash: String) async throws
}
