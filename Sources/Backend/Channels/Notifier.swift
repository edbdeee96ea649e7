import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How one attempt to deliver a message went.
enum DeliveryAttempt: Sendable, Equatable {
    case delivered
    /// Worth trying again: after `after` seconds when the channel said so (a 429), else with backoff.
    case retry(after: Double?, error: String)
    /// The channel refused it; trying again would not help.
    case rejected(String)
}

/// How fast a channel may be sent to, as its service documents it.
struct ChannelBudget: Sendable, Equatable {
    /// Seconds between two messages at least. Over budget, waiting notifications fold into the
    /// next message instead of queueing behind each other.
    var spacing: Double
    /// Whether notifications fold into groups. A webhook is read by programs, which expect one
    /// notification per request (`NotificationMessage`), and it has no budget to keep.
    var folds = true
}

/// Sends messages to one kind of channel.
protocol Notifier: Sendable {
    var budget: ChannelBudget { get }
    /// One message saying everything in the group (a group of one for channels that do not fold).
    func send(_ group: NotificationGroup) async -> DeliveryAttempt
    /// A message about the backend itself (storage unreachable), sent directly, not through the outbox.
    func sendDirect(_ text: String) async -> DeliveryAttempt
}

enum NotifierHTTP {
    static let timeout = TimeAmount.seconds(10)

    /// POSTs JSON; returns the status, the Retry-After header and up to 64 KiB of the answer.
    static func postJSON(_ url: String, body: Data) async throws -> (status: Int, retryAfter: Double?, body: Data) {
        let answer = try await send(url, json: body)
        return (answer.status, answer.retryAfter, answer.body)
    }

    /// 2xx delivered; 408, 429 and 5xx are worth retrying; any other status is final.
    static func classify(status: Int, retryAfter: Double?, detail: @autoclosure () -> String) -> DeliveryAttempt {
        switch status {
        case 200..<300: return .delivered
        case 408, 429, 500...: return .retry(after: retryAfter, error: "HTTP \(status): \(detail())")
        default: return .rejected("HTTP \(status): \(detail())")
        }
    }
}

extension NotifierHTTP {
    /// A GET whose answer does not matter beyond its status; nil when it succeeded.
    static func get(_ url: String) async -> String? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 << 10)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}
