import Foundation

/// What a user may do on the pages: an admin changes things, a viewer only looks.
enum UserRole: String, Sendable, CaseIterable {
    case admin, viewer

    /// A role as stored; anything unknown may only look.
    init(stored: String?) {
        self = stored.flatMap(UserRole.init(rawValue:)) ?? .viewer
    }
}

/// Someone who may log in to the pages. The password is kept only as a bcrypt hash.
struct UserRecord: Sendable, Equatable {
    var id: Int64
    var email: String
    var passwordHash: String
    var role: UserRole = .admin
    var createdAt: Date = .distantPast
}

/// A logged-in browser. The cookie's value is never stored, only its SHA-256 (`idHash`).
struct SessionRecord: Sendable, Equatable {
    var idHash: String
    var userID: Int64
    var email: String
    /// Every state-changing form of this session must carry it.
    var csrfToken: String
    var createdAt: Date
    /// Moved on by use, never past `endsAt`.
    var expiresAt: Date
    /// However much it is used, the session ends here.
    var endsAt: Date
    var role: UserRole = .admin
}

/// Users and sessions, for the pages. Both engines implement it.
protocol UserRepository: Sendable {
    /// False when a user with this email (any case) exists already.
    func createUser(email: String, passwordHash: String, role: UserRole, now: Date) async throws -> Bool
    func user(email: String) async throws -> UserRecord?
    /// Every user, by email.
    func users() async throws -> [UserRecord]
    /// Deletes a user and their sessions; false when there was none.
    func deleteUser(email: String) async throws -> Bool
    /// Sets a user's password hash and ends their sessions; false when there is no such user.
    func setPasswordHash(email: String, passwordHash: String) async throws -> Bool
    func createSession(_ session: SessionRecord) async throws
    /// The live session with this hash; nil when unknown or expired.
    func session(idHash: String, now: Date) async throws -> SessionRecord?
    /// Moves a session's idle end on (never past its absolute end).
    func extendSession(idHash: String, until: Date) async throws
    func deleteSession(idHash: String) async throws
    /// Ends every session of a user ("log out everywhere").
    func deleteSessions(userID: Int64) async throws
}

extension UserRepository {
    func createUser(email: String, passwordHash: String, now: Date) async throws -> Bool {
        try await createUser(email: email, passwordHash: passwordHash, role: .admin, now: now)
    }
}
