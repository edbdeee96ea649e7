import Foundation

/// A check as the evaluator reads it, inside the transaction that may flip it.
struct AlertCandidate: Sendable, Equatable {
    var id: Int64
    var check: CheckRecord
    /// The state the user last heard about; differs from `check.state` while muted or flapping.
    var notifiedState: CheckState
    var flappingSince: Date?
    /// When the user last heard of this check (reminders count from here).
    var notifiedAt: Date?
    /// The host's own check alerts: its no-data alerts stay quiet.
    var hostDown: Bool
    /// The host's tags: rules and routes may pick by them.
    var hostTags: [String] = []
}

/// What one evaluation changes: the check's new columns, the flip (if the state changed) and the
/// message (if the user must hear of it). Engines write all of it in one transaction.
struct AlertDecision: Sendable, Equatable {
    var candidate: AlertCandidate
    var state: CheckState
    var since: Date
    var notifiedState: CheckState
    var notifiedAt: Date?
    var flappingSince: Date?
    var flip: Flip?
    var message: NotificationMessage?
    /// The channels that get the message, as the routes say.
    var deliveries: [Delivery] = []
}

/// One channel a message goes to. A route's escalation holds it back: it is due `delay` seconds
/// after the message.
struct Delivery: Sendable, Equatable {
    var channel: String
    var delay: Double = 0
    /// A recovery: the check's notifications still held on the channel at the message's time are
    /// removed, and then this one is not written either: the channel never heard of the problem.
    var cancelsHeld = false
}
