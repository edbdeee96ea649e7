import Foundation

/// Which backend leads evaluation.
protocol LeadershipRepository: Sendable {
    /// Runs `body` while this backend leads evaluation; false at once if another one leads.
    /// `beat` records the leader's heartbeat (and marks every other backend a follower) and
    /// throws once leadership is lost.
    func lead(backend: String, startedAt: Date, _ body: @Sendable (_ beat: @Sendable () async throws -> Void) async throws -> Void) async throws -> Bool
    /// Records a follower's heartbeat, so the others see it is alive and may watch the leader.
    func follow(backend: String, startedAt: Date) async throws
    /// Every backend's latest beat, newest first, aged by the database's clock.
    func beats() async throws -> [EvaluatorBeat]
    /// Ends the hung leader's database session, so that a follower can take over: only the
    /// session its beat names, only while it holds the lock, and only while that beat is older
    /// than `staleAfter` seconds, so a leader that just took over is never ended. True if ended.
    func endLeaderSession(staleAfter: Double) async throws -> Bool
}

/// One backend's row in `evaluator_beats`.
struct EvaluatorBeat: Sendable, Equatable {
    var backend: String
    var startedAt: Date
    var beatAt: Date
    var leader: Bool
    /// Seconds since the beat, by the database's clock: backends' clocks may differ.
    var age: Double
}
