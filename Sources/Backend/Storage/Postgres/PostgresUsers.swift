import Foundation
import PostgresNIO

extension PostgresStore {
    func createUser(email: String, passwordHash: String, now: Date) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO users (email, password_hash, created_at) VALUES (\(email), \(passwordHash), \(now))
            ON CONFLICT DO NOTHING RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    func user(email: String) async throws -> UserRecord? {
        let rows = try await client.query(
            "SELECT id, email, password_hash FROM users WHERE lower(email) = lower(\(email))", logger: logger)
        for try await (id, email, hash) in rows.decode((Int64, String, String).self) {
            return UserRecord(id: id, email: email, passwordHash: hash)
        }
        return nil
    }

    func createSession(_ session: SessionRecord) async throws {
        try await client.query("""
            INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
            VALUES (\(session.idHash), \(session.userID), \(session.csrfToken), \(session.createdAt), \(session.expiresAt))
            """, logger: logger)
    }

    func session(idHash: String, now: Date) async throws -> SessionRecord? {
        let rows = try await client.query("""
            SELECT s.id_hash, s.user_id, u.email, s.csrf_token, s.created_at, s.expires_at
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = \(idHash) AND s.expires_at > \(now)
            """, logger: logger)
        for try await (hash, user, email, csrf, created, expires) in rows.decode((String, Int64, String, String, Date, Date).self) {
            return SessionRecord(idHash: hash, userID: user, email: email, csrfToken: csrf, createdAt: created, expiresAt: expires)
        }
        return nil
    }

    func deleteSession(idHash: String) async throws {
        try await client.query("DELETE FROM sessions WHERE id_hash = \(idHash)", logger: logger)
    }
}
