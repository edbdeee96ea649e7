import Foundation
import SQLiteNIO

extension SQLiteStore {
    func createUser(email: String, passwordHash: String, now: Date) async throws -> Bool {
        try await writer.write { db in
            let rows = try await db.query(
                "INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [.text(email), .text(passwordHash), .integer(Int(now.microseconds))])
            return !rows.isEmpty
        }
    }

    func user(email: String) async throws -> UserRecord? {
        try await readConnection.query("SELECT id, email, password_hash FROM users WHERE email = ?", [.text(email)]).first.map { row in
            UserRecord(id: Int64(row.column("id")?.integer ?? 0), email: row.column("email")?.string ?? "",
                       passwordHash: row.column("password_hash")?.string ?? "")
        }
    }

    func createSession(_ session: SessionRecord) async throws {
        try await writer.write { db in
            _ = try await db.query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [.text(session.idHash), .integer(Int(session.userID)), .text(session.csrfToken),
                 .integer(Int(session.createdAt.microseconds)), .integer(Int(session.expiresAt.microseconds))])
        }
    }

    func session(idHash: String, now: Date) async throws -> SessionRecord? {
        try await readConnection.query("""
            SELECT s.id_hash, s.user_id, u.email, s.csrf_token, s.created_at, s.expires_at
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?
            """, [.text(idHash), .integer(Int(now.microseconds))]).first.map { row in
            SessionRecord(
                idHash: row.column("id_hash")?.string ?? "", userID: Int64(row.column("user_id")?.integer ?? 0),
                email: row.column("email")?.string ?? "", csrfToken: row.column("csrf_token")?.string ?? "",
                createdAt: row.date("created_at"), expiresAt: row.date("expires_at"))
        }
    }

    func deleteSession(idHash: String) async throws {
        try await writer.write { db in _ = try await db.query("DELETE FROM sessions WHERE id_hash = ?", [.text(idHash)]) }
    }
}
