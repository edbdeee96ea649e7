import Logging

extension Domain {
    /// The domain as the settings make it.
    init(store: any Store, config: BackendConfig, logger: Logger) {
        self.init(store: store, settings: config.alerting.settings, channels: config.alerting.notifiers.keys.sorted(),
                  sampleRetention: config.sampleRetention, logger: logger, leaderStaleAfter: Double(config.alerting.leaderStaleAfter))
    }
}
