import Foundation

/// One process owns the file: it always leads, so there are no followers and no one to take over from.
extension SQLiteStore {
    func follow(backend: String, startedAt: Date) async throws {}

    func beats() async throws -> [EvaluatorBeat] {
        let now = Date()
        return try await readConnection.query("SELECT backend, started_at, beat_at, leader FROM evaluator_beats ORDER BY beat_at DESC").map { row in
            let beat = row.date("beat_at")
            return EvaluatorBeat(backend: row.column("backend")?.string ?? "", startedAt: row.date("started_at"), beatAt: beat,
                                 leader: (row.column("leader")?.integer ?? 0) != 0, age: now.timeIntervalSince(beat))
        }
    }

    func endLeaderSession(staleAfter: Double) async throws -> Bool { false }
}
