import Foundation

/// One message waiting for one channel, as the delivery worker claims it.
struct Notification: Sendable, Equatable {
    var id: Int64
    var channel: String
    var host: String
    /// `host/check`: messages of one check go out in order on each channel.
    var checkKey: String
    var message: NotificationMessage
    /// Attempts so far, this one included.
    var attempts: Int
    var createdAt: Date
    /// Held back by a route's escalation: a recovery before this time cancels it.
    var heldUntil: Date?
}

/// How one attempt ended.
enum OutboxResult: Sendable, Equatable {
    case delivered
    /// Try again at this time (backoff, or what the channel asked for).
    case retry(at: Date, error: String)
    /// The channel refused it for good; kept, with the reason, for the pages.
    case failed(String)
}
