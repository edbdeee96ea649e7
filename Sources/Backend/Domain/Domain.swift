import Foundation
import Logging
import Shared

/// The domain services over one store, made once per backend: what controllers and the
/// long-running services call. Every alerting, ingest and retention policy lives in them.
struct Domain: Sendable {
    let store: any Store
    let alerting: AlertingService
    let outbox: OutboxService
    let ingest: IngestService
    let heartbeats: HeartbeatService
    let retention: Retention
    let leadership: Leadership

    /// `channels`: the outbox's channel names, one row per message for each.
    init(store: any Store, settings: AlertSettings, channels: [String], sampleRetention: TimeSpan, logger: Logger, leaderStaleAfter: Double = 15) {
        self.store = store
        leadership = Leadership(store: store, backend: Leadership.newName(), flag: LeaderFlag(), staleAfter: leaderStaleAfter)
        alerting = AlertingService(store: store, settings: settings, channels: channels)
        outbox = OutboxService(store: store, publicURL: settings.publicURL)
        ingest = IngestService(store: store, alerting: alerting, logger: logger)
        heartbeats = HeartbeatService(ingest: ingest)
        retention = Retention(samples: sampleRetention)
    }
}
