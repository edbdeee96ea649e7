import Foundation

/// One message about a check, as stored in the outbox and as the webhook receives it. It holds
/// everything a notifier needs, so a message survives its check being deleted.
struct NotificationMessage: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        /// The check entered a problem state (alert or no-data).
        case problem
        /// Back to ok; `duration` says how long the problem lasted.
        case recovery
        /// Flipped too often: messages are held until it is stable.
        case flapping
        /// Still alerting (REMIND_EVERY).
        case reminder
    }

    var kind: Kind
    var host: String
    var check: String
    var checkKind: CheckKind
    /// The state the user heard last, and the state now.
    var from: CheckState
    var to: CheckState
    var value: Double?
    var unit: String?
    var reason: String
    var at: Date
    /// Seconds the state being left lasted (recoveries).
    var duration: Double?
    /// The check's page, when PUBLIC_URL is set.
    var link: String?
    /// The host's tags; nil when it has none (and in messages queued before tags existed).
    var tags: [String]? = nil
}

extension NotificationMessage {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func json() -> String {
        // Encoding plain values cannot fail.
        (try? String(decoding: Self.encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    static func parse(_ text: String) throws -> NotificationMessage {
        try decoder.decode(NotificationMessage.self, from: Data(text.utf8))
    }
}
