import Foundation
import PostgresNIO

/// The followers' side of leadership: their beats, everyone's beats, and ending a hung leader's session.
extension PostgresStore {
    func follow(backend: String, startedAt: Date) async throws {
        try await client.query("""
            INSERT INTO evaluator_beats (backend, started_at, beat_at, leader) VALUES (\(backend), \(startedAt), now(), false)
            ON CONFLICT (backend) DO UPDATE SET beat_at = now(), leader = false
            """, logger: logger)
        // Backends that stopped a day ago are gone; each start has a name of its own.
        try await client.query("DELETE FROM evaluator_beats WHERE NOT leader AND beat_at < now() - interval '1 day'", logger: logger)
    }

    func beats() async throws -> [EvaluatorBeat] {
        let rows = try await client.query("""
            SELECT backend, started_at, beat_at, leader, EXTRACT(EPOCH FROM clock_timestamp() - beat_at)::float8
            FROM evaluator_beats ORDER BY beat_at DESC
            """, logger: logger)
        var beats: [EvaluatorBeat] = []
        for try await (backend, started, beat, leader, age) in rows.decode((String, Date, Date, Bool, Double).self) {
            beats.append(EvaluatorBeat(backend: backend, startedAt: started, beatAt: beat, leader: leader, age: age))
        }
        return beats
    }

    /// The advisory lock's key splits into classid (high 32 bits) and objid (low 32 bits).
    func endLeaderSession(staleAfter: Double) async throws -> Bool {
        let rows = try await client.query("""
            SELECT pg_terminate_backend(l.pid) FROM pg_locks l
            JOIN evaluator_beats b ON b.leader AND b.session_pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid <> pg_backend_pid()
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = (\(Self.leaderLock) >> 32)::oid AND l.objid = (\(Self.leaderLock) & 4294967295)::oid
              AND b.beat_at < now() - make_interval(secs => \(staleAfter))
            """, logger: logger)
        var ended = false
        for try await done in rows.decode(Bool.self) { ended = ended || done }
        return ended
    }
}
