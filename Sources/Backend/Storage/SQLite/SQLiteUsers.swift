import Foundation
import SQLiteNIO

extension SQLiteStore {
    func createUser(email: String, passwordHash: String, role: UserRole, now: Date) async throws -> Bool {
        try await writer.write { db in
            let rows = try await db.query(
                "INSERT INTO users (email, password_hash, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [.text(email), .text(passwordHash), .text(role.rawValue), .integer(Int(now.microseconds))])
            return !rows.isEmpty
        }
    }

    func user(email: String) async throws -> UserRecord? {
        try await readConnection.query("SELECT id, email, password_hash, role, created_at FROM users WHERE email = ?", [.text(email)])
            .first.map(Self.user)
    }

    func users() async throws -> [UserRecord] {
        try await readConnection.query("SELECT id, email, password_hash, role, created_at FROM users ORDER BY email").map(Self.user)
    }

    private static func user(_ row: SQLiteRow) -> UserRecord {
        UserRecord(id: Int64(row.column("id")?.integer ?? 0), email: row.column("email")?.string ?? "",
                   passwordHash: row.column("password_hash")?.string ?? "",
                   role: UserRole(stored: row.column("role")?.string), createdAt: row.date("created_at"))
    }

    func deleteUser(email: String) async throws -> Bool {
        try await writer.write { db in
            let gone = try await db.query("DELETE FROM users WHERE email = ? RETURNING id", [.text(email)])
            for row in gone { _ = try await db.query("DELETE FROM sessions WHERE user_id = ?", [.integer(row.column("id")?.integer ?? 0)]) }
            return !gone.isEmpty
        }
    }

    func setPasswordHash(email: String, passwordHash: String) async throws -> Bool {
        try await writer.write { db in
            let changed = try await db.query("UPDATE users SET password_hash = ? WHERE email = ? RETURNING id", [.text(passwordHash), .text(email)])
            for row in changed { _ = try await db.query("DELETE FROM sessions WHERE user_id = ?", [.integer(row.column("id")?.integer ?? 0)]) }
            return !changed.isEmpty
        }
    }

    func createSession(_ session: SessionRecord) async throws {
        try await writer.write { db in
            _ = try await db.query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(session.idHash), .integer(Int(session.userID)), .text(session.csrfToken),
                 .integer(Int(session.createdAt.microseconds)), .integer(Int(session.expiresAt.microseconds)),
                 .integer(Int(session.endsAt.microseconds))])
        }
    }

    func session(idHash: String, now: Date) async throws -> SessionRecord? {
        try await readConnection.query("""
            SELECT s.id_hash, s.user_id, u.email, u.role, s.csrf_token, s.created_at, s.expires_at, coalesce(s.ends_at, s.expires_at) AS ends_at
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ? AND coalesce(s.ends_at, s.expires_at) > ?
            """, [.text(idHash), .integer(Int(now.microseconds)), .integer(Int(now.microseconds))]).first.map { row in
            SessionRecord(
                idHash: row.column("id_hash")?.string ?? "", userID: Int64(row.column("user_id")?.integer ?? 0),
                email: row.column("email")?.string ?? "", csrfToken: row.column("csrf_token")?.string ?? "",
                createdAt: row.date("created_at"), expiresAt: row.date("expires_at"), endsAt: row.date("ends_at"),
                role: UserRole(stored: row.column("role")?.string))
        }
    }

    func extendSession(idHash: String, until: Date) async throws {
        try await writer.write { db in
            _ = try await db.query(
                "UPDATE sessions SET expires_at = min(?, coalesce(ends_at, expires_at)) WHERE id_hash = ?",
                [.integer(Int(until.microseconds)), .text(idHash)])
        }
    }

    func deleteSession(idHash: String) async throws {
        try await writer.write { db in _ = try await db.query("DELETE FROM sessions WHERE id_hash = ?", [.text(idHash)]) }
    }

    func deleteSessions(userID: Int64) async throws {
        try await writer.write { db in _ = try await db.query("DELETE FROM sessions WHERE user_id = ?", [.integer(Int(userID))]) }
    }
}
