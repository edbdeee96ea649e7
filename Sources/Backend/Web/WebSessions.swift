import Crypto
import Foundation
import Shared
import Hummingbird

/// Browser sessions: a random cookie whose SHA-256 is the session's key, so the database never
/// holds a usable session id. A login always makes a new session (no fixation); logout deletes it.
struct WebSessions: Sendable {
    static let cookieName = "mt_session"
    /// Login's own CSRF token lives in a cookie until there is a session (double submit).
    static let loginCookieName = "mt_login"
    /// A session unused this long ends; use moves the end on, up to `lifetime` after the login.
    static let idleTimeout: TimeInterval = 7 * 86400
    static let lifetime: TimeInterval = 30 * 86400
    /// Use moves the idle end on at most this often: not a write per page.
    static let extendEvery: TimeInterval = 3600

    let store: any Store
    /// Secure cookies when the backend is reached over https.
    let secure: Bool

    init(store: any Store, publicURL: String?) {
        self.store = store
        self.secure = publicURL?.lowercased().hasPrefix("https://") ?? false
    }

    /// The request's live session, if any. A storage failure is a 503 (`StorageErrorMiddleware`), not a logout.
    func session(of request: Request) async throws -> SessionRecord? {
        guard let value = request.cookies[Self.cookieName]?.value, Self.isWellFormed(value) else { return nil }
        let store = self.store
        let now = Date()
        let session = try await withStorageDeadline { try await store.session(idHash: TokenHash.of(value), now: now) }
        if let session, session.expiresAt < session.endsAt, session.expiresAt.timeIntervalSince(now) < Self.idleTimeout - Self.extendEvery {
            // Used: the idle end moves on. A failure here costs the user nothing now.
            _ = await withDeadline(storageDeadline, { try await store.extendSession(idHash: session.idHash, until: now.addingTimeInterval(Self.idleTimeout)) })
        }
        return session
    }

    /// Makes a session for a user; returns the cookie that carries it.
    func start(userID: Int64, email: String, role: UserRole) async throws -> Cookie {
        let value = Self.randomToken()
        let now = Date()
        try await store.createSession(SessionRecord(
            idHash: TokenHash.of(value), userID: userID, email: email, csrfToken: Self.randomToken(),
            createdAt: now, expiresAt: now.addingTimeInterval(Self.idleTimeout), endsAt: now.addingTimeInterval(Self.lifetime), role: role))
        return cookie(Self.cookieName, value, maxAge: Int(Self.lifetime))
    }

    func end(_ session: SessionRecord, everywhere: Bool = false) async throws {
        if everywhere {
            try await store.deleteSessions(userID: session.userID)
        } else {
            try await store.deleteSession(idHash: session.idHash)
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// 32 random bytes in hex, from the system's CSPRNG.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.lowercase((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Compares in time that depends only on the length, so a guess learns nothing from timing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
