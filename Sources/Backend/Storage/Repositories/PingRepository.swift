import Foundation

/// Heartbeats pinged by URL (Healthchecks-style): ping keys, slugs and the pings themselves.
protocol PingRepository: Sendable {
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
