import Foundation

/// Who leads evaluation, as this backend sees it: its own name, whether it leads, and the
/// leader's beat in the database. What `/readyz`, the dashboard and the leader watch read.
struct Leadership: Sendable {
    let store: any LeadershipRepository
    /// This backend's name in `evaluator_beats`: host, process id and a random part, one per start.
    let backend: String
    let flag: LeaderFlag
    /// A leader whose beat is older than this is hung (it beats every 5 s).
    var staleAfter: Double = 15

    static func newName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UInt32.random(in: 0...UInt32.max))"
    }

    struct Status: Sendable, Encodable, Equatable {
        /// This backend.
        var backend: String
        var leading: Bool
        /// The backend whose row says it leads, with the age of its beat in seconds.
        var leader: String?
        var leaderBeatAgeSeconds: Double?
        var leaderStale: Bool
    }

    func status() async throws -> Status {
        let beats = try await store.beats()
        let leader = Self.leader(beats)
        return Status(backend: backend, leading: flag.isLeader, leader: leader?.backend, leaderBeatAgeSeconds: leader.map { ($0.age * 10).rounded() / 10 },
                      leaderStale: leader.map { $0.age > staleAfter } ?? false)
    }

    /// The freshest row that says it leads.
    static func leader(_ beats: [EvaluatorBeat]) -> EvaluatorBeat? {
        beats.filter(\.leader).min { $0.age < $1.age }
    }

    /// Whether `backend` is the one follower that tells the channels of a hung leader: of the
    /// followers whose own beat is fresh, the one whose name sorts first. Every follower reads
    /// the same rows, so one of them speaks, and another only if that one stops too.
    static func isTeller(_ backend: String, beats: [EvaluatorBeat], staleAfter: Double) -> Bool {
        let fresh = beats.filter { !$0.leader && $0.age <= staleAfter }.map(\.backend)
        return fresh.contains(backend) && fresh.min() == backend
    }
}
