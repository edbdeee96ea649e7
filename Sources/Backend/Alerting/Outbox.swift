import Foundation

/// One message waiting for one channel, as the delivery worker claims it.
struct OutboxItem: Sendable, Equatable {
    var id: Int64
    var channel: String
    /// `host/check`: messages of one check go out in order on each channel.
    var checkKey: String
    var event: FlipEvent
    /// Attempts so far, this one included.
    var attempts: Int
    var createdAt: Date
}

/// How one attempt ended.
enum OutboxResult: Sendable, Equatable {
    case delivered
    /// Try again at this time (backoff, or what the channel asked for).
    case retry(at: Date, error: String)
    /// The channel refused it for good; kept, with the reason, for the pages.
    case failed(String)
}

/// One state change of a check, as the API and the pages list it.
struct FlipRecord: Codable, Sendable, Equatable {
    var host: String
    var check: String
    var at: Date
    var from: CheckState
    var to: CheckState
    var value: Double?
    var reason: String
}

extension FlipEvent {
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

    static func parse(_ text: String) throws -> FlipEvent {
        try decoder.decode(FlipEvent.self, from: Data(text.utf8))
    }
}
