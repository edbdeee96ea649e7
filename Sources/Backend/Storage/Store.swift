import Foundation
import Shared

/// Everything the backend keeps. Two engines implement it: `SQLiteStore` (embedded default)
/// and `PostgresStore`. `StoreContractTests` runs the same cases against both.
protocol Store: UserStore, CheckPageStore, LoginRecordStore {
    /// "sqlite", "postgres" or "postgres+timescaledb": what `/readyz` and the logs show.
    var engine: String { get }

    /// Applies every migration not yet applied. Safe when several backends start at once.
    func migrate() async throws
    /// Creates time partitions ahead and drops expired ones (or deletes expired rows).
    func maintain(now: Date) async throws -> MaintenanceReport
    /// Answers when the database does.
    func ping() async throws
    func close() async

    /// Stores a validated report in one transaction (with `ping`, the ping it stands for);
    /// returns only after commit.
    func ingest(_ report: Report, ping: PingRecord?, receivedAt: Date) async throws -> IngestOutcome

    func hosts() async throws -> [HostRecord]
    func checks(host: String?, state: CheckState?) async throws -> [CheckRecord]
    /// Samples of one check, oldest first; nil when the check does not exist.
    func samples(host: String, name: String, from: Date, to: Date, limit: Int) async throws -> [SampleRecord]?
    /// Samples of several checks of one host, read in one pass (a host page's charts), by name.
    func samples(host: String, names: [String], from: Date, to: Date) async throws -> [String: [SampleRecord]]
    /// Deletes a check with its samples and flips; false when there was none.
    func deleteCheck(host: String, name: String) async throws -> Bool

    func createToken(_ token: NewToken) async throws -> TokenRecord
    func tokens() async throws -> [TokenRecord]
    /// Marks a token revoked; false when no live token has that id.
    func revokeToken(id: Int64, at: Date) async throws -> Bool
    func token(hash: String) async throws -> TokenRecord?

    // Alerting. Ingest evaluates threshold rules itself, with this evaluator.
    var evaluator: AlertEvaluator { get }
    /// Evaluates these checks now (deadlines), each in the transaction that writes its flip.
    func evaluate(ids: [Int64], now: Date) async throws -> AlertEvaluator.Outcome
    /// When every check must be evaluated next: the scheduler's full rescan.
    func wakeTimes(now: Date) async throws -> [(id: Int64, at: Date)]
    /// Runs `body` while this backend leads evaluation; false at once if another one leads.
    /// `beat` records the leader's heartbeat and throws once leadership is lost.
    func lead(backend: String, startedAt: Date, _ body: @Sendable (_ beat: @Sendable () async throws -> Void) async throws -> Void) async throws -> Bool
    /// Claims messages that are due, at most one per check and channel, for `lease` seconds.
    func claimNotifications(now: Date, lease: Double, limit: Int, channels: [String]) async throws -> [OutboxItem]
    func finishNotification(id: Int64, _ result: OutboxResult, now: Date) async throws
    /// Records many outcomes at once (one statement for all the delivered).
    func finishNotifications(_ results: [(id: Int64, result: OutboxResult)], now: Date) async throws
    /// Messages not yet delivered (nor given up).
    func outboxDepth() async throws -> Int
    /// Silences one check, or all of a host's, until a time (nil lifts it); returns how many.
    func silence(host: String, check: String?, until: Date?, now: Date) async throws -> Int
    func pause(host: String, check: String?, paused: Bool, now: Date) async throws -> Int
    /// Newest first.
    func flips(host: String?, check: String?, limit: Int) async throws -> [FlipRecord]

    // Heartbeats pinged by URL (Healthchecks-style).
    /// Stores a ping key's hash; the key lets pings by slug reach the host's checks.
    func createPingKey(host: String, hash: String, now: Date) async throws
    func pingKeyHost(hash: String) async throws -> String?
    /// Makes the heartbeat check (waiting for its first ping), or gives an existing check the
    /// slug and settings; returns its ping id and whether it was created.
    func ensureHeartbeat(_ spec: HeartbeatSpec, now: Date) async throws -> (pingID: String, created: Bool)
    func heartbeats(pingID: String) async throws -> [PingTarget]
    /// Several when the slug is ambiguous.
    func heartbeats(host: String, slug: String) async throws -> [PingTarget]
    func recordPing(_ ping: PingRecord) async throws
    /// Newest first.
    func pings(host: String, check: String, limit: Int) async throws -> [PingRecord]
}

extension Store {
    func ingest(_ report: Report, receivedAt: Date) async throws -> IngestOutcome {
        try await ingest(report, ping: nil, receivedAt: receivedAt)
    }
}

enum IngestOutcome: Sendable, Equatable {
    case stored(samples: Int)
    /// The same report arrived before (a retry); nothing was written again.
    case duplicate
}

struct MaintenanceReport: Sendable, Equatable {
    var partitionsCreated: [String] = []
    var partitionsDropped: [String] = []
    var rowsDeleted: Int = 0
}

enum StoreError: Error, CustomStringConvertible {
    /// The database cannot be reached or refused the work; the caller should retry later.
    case unavailable(String)
    /// A migration this binary does not know is applied: the database is newer than the binary.
    case schemaTooNew(applied: Int, known: Int)

    var description: String {
        switch self {
        case .unavailable(let why): return "storage unavailable: \(why)"
        case .schemaTooNew(let applied, let known):
            return "the database has schema version \(applied) but this backend knows only \(known); upgrade metrics-backend"
        }
    }
}
