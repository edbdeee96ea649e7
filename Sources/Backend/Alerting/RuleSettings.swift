import Foundation

/// The thresholds rules apply. Defaults follow the original metrics-sender where it had one (disk
/// alerts above 90 %, a ping without an interval alerts after 5 minutes); a rules file will
/// override them globally, per host and per check.
struct RuleSettings: Sendable, Equatable {
    /// Disk: alert above this percent used (90 is ok, 91 alerts), clear below `diskClearBelow`.
    var diskAlertAbove = 90.0
    var diskClearBelow = 85.0
    /// Disk: also alert when fewer GiB than this are free (nil: no such rule).
    var diskMinFreeGiB: Double?
    /// Memory: alert when every sample of the last `memorySustain` seconds is at or above this.
    var memoryAlertAt = 90.0
    var memoryClearBelow = 85.0
    var memorySustain = 300
    /// A heartbeat that never said how often it comes is expected this often (the original's 5 min).
    var heartbeatDefaultEvery = 300
    /// Checks a sender reports each run: expected this often, with this much slack before no-data.
    var reportEvery = 60
    var reportGrace = 240
}
