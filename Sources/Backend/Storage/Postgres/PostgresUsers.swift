import Foundation
import PostgresNIO

extension PostgresStore {
    func createUser(email: String, passwordHash: String, role: UserRole, now: Date) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO users (email, password_hash, role, created_at) VALUES (\(email), \(passwordHash), \(role.rawValue), \(now))
            ON CONFLICT DO NOTHING RETURNING id
            """, logger: logger)
        var created = false
        for try await _ in rows { created = true }
        return created
    }

    func user(email: String) async throws -> UserRecord? {
        try await users(client.query(
            "SELECT id, email, password_hash, role, created_at FROM users WHERE lower(email) = lower(\(email))", logger: logger)).first
    }

    func users() async throws -> [UserRecord] {
        try await users(client.query("SELECT id, email, password_hash, role, created_at FROM users ORDER BY lower(email)", logger: logger))
    }

    private func users(_ rows: PostgresRowSequence) async throws -> [UserRecord] {
        var users: [UserRecord] = []
        for try await (id, email, hash, role, created) in rows.decode((Int64, String, String, String, Date).self) {
            users.append(UserRecord(id: id, email: email, passwordHash: hash, role: UserRole(stored: role), createdAt: created))
        }
        return users
    }

    /// Sessions go with their user (ON DELETE CASCADE).
    func deleteUser(email: String) async throws -> Bool {
        let rows = try await client.query("DELETE FROM users WHERE lower(email) = lower(\(email)) RETURNING id", logger: logger)
        var deleted = false
        for try await _ in rows { deleted = true }
        return deleted
    }

    func setPasswordHash(email: String, passwordHash: String) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE users SET password_hash = \(passwordHash) WHERE lower(email) = lower(\(email)) RETURNING id", logger: logger)
            var ids: [Int64] = []
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            for id in ids { try await connection.query("DELETE FROM sessions WHERE user_id = \(id)", logger: logger) }
            return !ids.isEmpty
        }
    }

    func createSession(_ session: SessionRecord) async throws {
        try await client.query("""
            INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ends_at)
            VALUES (\(session.idHash), \(session.userID), \(session.csrfToken), \(session.createdAt), \(session.expiresAt), \(session.endsAt))
            """, logger: logger)
    }

    func session(idHash: String, now: Date) async throws -> SessionRecord? {
        let rows = try await client.query("""
            SELECT s.id_hash, s.user_id, u.email, u.role, s.csrf_token, s.created_at, s.expires_at, coalesce(s.ends_at, s.expires_at)
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id_hash = \(idHash) AND s.expires_at > \(now) AND coalesce(s.ends_at, s.expires_at) > \(now)
            """, logger: logger)
        var found: SessionRecord?
        for try await (hash, user, email, role, csrf, created, expires, ends) in rows.decode((String, Int64, String, String, String, Date, Date, Date).self) {
            found = SessionRecord(idHash: hash, userID: user, email: email, csrfToken: csrf, createdAt: created, expiresAt: expires,
                                  endsAt: ends, role: UserRole(stored: role))
        }
        return found
    }

    func extendSession(idHash: String, until: Date) async throws {
        try await client.query(
            "UPDATE sessions SET expires_at = least(\(until), coalesce(ends_at, expires_at)) WHERE id_hash = \(idHash)", logger: logger)
    }

    func deleteSession(idHash: String) async throws {
        try await client.query("DELETE FROM sessions WHERE id_hash = \(idHash)", logger: logger)
    }

    func deleteSessions(userID: Int64) async throws {
        try await client.query("DELETE FROM sessions WHERE user_id = \(userID)", logger: logger)
    }
}
