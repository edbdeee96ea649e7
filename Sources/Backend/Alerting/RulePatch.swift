import Foundation

/// Thresholds a rules file changes for some hosts or checks; nil keeps what holds above.
struct RulePatch: Sendable, Equatable {
    var diskAlertAbove: Double?
    var diskClearBelow: Double?
    var diskMinFreeGiB: Double?
    var memoryAlertAt: Double?
    var memoryClearBelow: Double?
    var memorySustain: Int?
    var heartbeatDefaultEvery: Int?
    var loadAlertAt: Double?
    var loadClearBelow: Double?
    var loadSustain: Int?
    var cpuAlertAt: Double?
    var cpuClearBelow: Double?
    var cpuSustain: Int?
    var netAlertAt: Double?
    var netClearBelow: Double?
    var netSustain: Int?
    var certAlertDays: Double?
    var smartGrowthWindow: Int?
    var gaugeAbove: Double?
    var gaugeBelow: Double?
    var gaugeFor: Int?
    var gaugeHysteresis: Double?
    var diskFillWithin: Int?
    var diskFillWindow: Int?
    var diskFillFrom: Double?

    func apply(to settings: inout RuleSettings) {
        if let diskAlertAbove { settings.diskAlertAbove = diskAlertAbove }
        if let diskClearBelow { settings.diskClearBelow = diskClearBelow }
        if let diskMinFreeGiB { settings.diskMinFreeGiB = diskMinFreeGiB }
        if let memoryAlertAt { settings.memoryAlertAt = memoryAlertAt }
        if let memoryClearBelow { settings.memoryClearBelow = memoryClearBelow }
        if let memorySustain { settings.memorySustain = memorySustain }
        if let heartbeatDefaultEvery { settings.heartbeatDefaultEvery = heartbeatDefaultEvery }
        if let loadAlertAt { settings.loadAlertAt = loadAlertAt }
        if let loadClearBelow { settings.loadClearBelow = loadClearBelow }
        if let loadSustain { settings.loadSustain = loadSustain }
        if let cpuAlertAt { settings.cpuAlertAt = cpuAlertAt }
        if let cpuClearBelow { settings.cpuClearBelow = cpuClearBelow }
        if let cpuSustain { settings.cpuSustain = cpuSustain }
        if let netAlertAt { settings.netAlertAt = netAlertAt }
        if let netClearBelow { settings.netClearBelow = netClearBelow }
        if let netSustain { settings.netSustain = netSustain }
        if let certAlertDays { settings.certAlertDays = certAlertDays }
        if let smartGrowthWindow { settings.smartGrowthWindow = smartGrowthWindow }
        if let gaugeAbove { settings.gaugeAbove = gaugeAbove }
        if let gaugeBelow { settings.gaugeBelow = gaugeBelow }
        if let gaugeFor { settings.gaugeFor = gaugeFor }
        if let gaugeHysteresis { settings.gaugeHysteresis = gaugeHysteresis }
        if let diskFillWithin { settings.diskFillWithin = diskFillWithin }
        if let diskFillWindow { settings.diskFillWindow = diskFillWindow }
        if let diskFillFrom { settings.diskFillFrom = diskFillFrom }
    }

    static let keys = ["disk_alert_above", "disk_clear_below", "disk_min_free_gib", "memory_alert_at", "memory_clear_below",
                       "memory_sustain", "heartbeat_default_every", "load_alert_at", "load_clear_below", "load_sustain",
                       "cpu_alert_at", "cpu_clear_below", "cpu_sustain", "net_alert_at", "net_clear_below", "net_sustain",
                       "cert_alert_days", "smart_growth_window", "gauge_above", "gauge_below", "gauge_for", "gauge_hysteresis",
                       "disk_fill_within", "disk_fill_window", "disk_fill_from"]
}
