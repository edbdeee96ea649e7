import Foundation
import Shared

/// The thresholds rules apply. Defaults follow the original metrics-sender where it had one (disk
/// alerts above 90 %, a ping without an interval alerts after 5 minutes); the rules file
/// (`ALERT_RULES_FILE`) overrides them globally, per host and per check.
struct RuleSettings: Sendable, Equatable {
    /// Disk: alert above this percent used (90 is ok, 91 alerts), clear below `diskClearBelow`.
    var diskAlertAbove = 90.0
    var diskClearBelow = 85.0
    /// Disk: alert when the fill prediction (a line over `diskFillWindow` seconds of samples)
    /// says full within `diskFillWithin` seconds; predicted only from `diskFillFrom` percent used,
    /// so a mostly empty disk costs no sample reads. nil `diskFillWithin`: no prediction.
    var diskFillWithin: Int? = 86400
    var diskFillWindow = 21600
    var diskFillFrom = 50.0
    /// Inodes (`inodes:MOUNT`) alert with the same thresholds as blocks.
    /// Disk: also alert when fewer GiB than this are free (nil: no such rule).
    var diskMinFreeGiB: Double?
    /// Memory: alert when every sample of the last `memorySustain` seconds is at or above this.
    var memoryAlertAt = 90.0
    var memoryClearBelow = 85.0
    var memorySustain = 300
    /// Load per CPU: alert at or above this for `loadSustain` seconds, clear below `loadClearBelow`.
    var loadAlertAt = 2.0
    var loadClearBelow = 1.5
    var loadSustain = 600
    /// CPU busy %: alert at or above this for `cpuSustain` seconds.
    var cpuAlertAt = 95.0
    var cpuClearBelow = 85.0
    var cpuSustain = 900
    /// Interface errors per minute: alert at or above this for `netSustain` seconds.
    var netAlertAt = 10.0
    var netClearBelow = 1.0
    var netSustain = 300
    /// Certificates: alert when this many days or fewer are left.
    var certAlertDays = 14.0
    /// SMART: bad sectors that grew within this many seconds alert.
    var smartGrowthWindow = 86400
    /// Generic gauges: no thresholds unless the rules file sets them.
    var gaugeAbove: Double?
    var gaugeBelow: Double?
    var gaugeFor = 0
    var gaugeHysteresis = 0.0
    /// A heartbeat that never said how often it comes is expected this often (the original's 5 min).
    var heartbeatDefaultEvery = 300
    /// Checks a sender reports each run: expected this often, with this much slack before no-data.
    var reportEvery = 60
    var reportGrace = 240
    /// A host whose reports stop for this many report intervals is down.
    var hostDownAfterIntervals = 3
    /// The maintenance windows that cover the check: a deadline inside one moves past its end.
    var maintenance = MaintenanceWindows()
}

/// How the evaluator turns verdicts into messages: flapping, reminders.
struct AlertSettings: Sendable, Equatable {
    var rules = RuleSettings()
    /// Per host and per check, from the rules file.
    var overrides = RuleOverrides()
    /// Which channels get which notifications (none: every channel gets everything).
    var routes: [Route] = []

    /// Journal entries that raise checks of kind `journal`, from the rules file.
    var logRules: [LogRule] = []

    /// Scheduled silences, from the rules file.
    var maintenance = MaintenanceWindows()

    /// Whether a host's tags can change a check's rules or maintenance.
    var picksByTag: Bool { !overrides.tags.isEmpty || maintenance.windows.contains { !$0.tags.isEmpty } }

    /// The thresholds and maintenance windows that hold for one check of a host with these tags.
    func rules(for check: CheckRecord, tags: [String]) -> RuleSettings {
        var settings = overrides.settings(base: rules, host: check.host, tags: tags, check: check.name)
        if !maintenance.isEmpty { settings.maintenance = maintenance.covering(host: check.host, tags: tags, check: check.name) }
        return settings
    }

    /// When the maintenance window this check is in at `now` ends; nil when it is in none.
    func maintenanceUntil(_ check: CheckRecord, tags: [String], now: Date) -> Date? {
        maintenance.isEmpty ? nil : maintenance.covering(host: check.host, tags: tags, check: check.name).openUntil(now)
    }
    /// More than `flapFlips` flips within `flapWindow` seconds is flapping: one notice, then
    /// quiet until the check has not flipped for `flapWindow`.
    var flapFlips = 5
    var flapWindow = 1800
    /// While alerting, remind this often (nil: never).
    var remindEvery: Int?
    /// Messages link to the check's page under this address (PUBLIC_URL).
    var publicURL: String?
}
