import Foundation

/// Which backend leads evaluation.
protocol LeadershipRepository: Sendable {
    /// Runs `body` while this backend leads evaluation; false at once if another one leads.
    /// `beat` records the leader's heartbeat and throws once leadership is lost.
    func lead(backend: String, startedAt: Date, _ body: @Sendable (_ beat: @Sendable () async throws -> Void) async throws -> Void) async throws -> Bool
}
