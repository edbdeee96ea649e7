import Foundation
import Logging

/// The domain services over one store, made once per backend: what controllers and the
/// long-running services call. Every alerting, ingest and retention policy lives in them.
struct Domain: Sendable {
    let store: any Store
    let alerting: AlertingService
    let outbox: OutboxService
    let ingest: IngestService
    let retention: Retention

    init(store: any Store, config: BackendConfig, logger: Logger) {
        self.store = store
        alerting = AlertingService(store: store, settings: config.alerting.settings, channels: config.alerting.notifiers.keys.sorted())
        outbox = OutboxService(store: store)
        ingest = IngestService(store: store, alerting: alerting, logger: logger)
        retention = Retention(samples: config.sampleRetention)
    }
}
