import Foundation
import Shared

/// What silences and pauses act on: a host, and one of its checks or (left out) all of them.
struct CheckTarget: Decodable, Sendable {
    var host: String
    var check: String?

    private enum Keys: String, CodingKey { case host, check }

    init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Keys.self)
        guard case .value(let host) = object.field(String.self, .host), !host.isEmpty, host.count <= 1000 else {
            throw APIError(.badRequest, "must name the host, as a string", field: "host")
        }
        self.host = host
        switch object.field(String.self, .check) {
        case .absent, .null: check = nil
        case .value(let check) where !check.isEmpty && check.count <= 1000: self.check = check
        default: throw APIError(.badRequest, "must be a check name, or left out for every check of the host", field: "check")
        }
    }
}

/// `{"host": "web-1", "check": "disk:/" (optional: every check of the host), "for": "1h" | "until": "2026-…" | "until": null}`
struct SilenceRequest: Decodable, Sendable {
    enum End: Sendable {
        case after(TimeSpan)
        case at(Date)
        /// `"until": null` lifts the silence.
        case lifted
    }

    var target: CheckTarget
    var end: End

    private enum Keys: String, CodingKey { case `for`, until }

    init(from decoder: any Decoder) throws {
        target = try CheckTarget(from: decoder)
        let object = try decoder.container(keyedBy: Keys.self)
        switch (object.field(String.self, .for), object.field(String.self, .until)) {
        case (.value(let span), .absent):
            guard let parsed = try? TimeSpan(parsing: span), parsed.seconds > 0 else {
                throw APIError(.badRequest, "'\(span.prefix(40))' is not a duration such as 90s, 5m, 1h, 1d", field: "for")
            }
            end = .after(parsed)
        case (.absent, .value(let text)):
            guard let parsed = Report.parseTime(text) else {
                throw APIError(.badRequest, "'\(text.prefix(40))' is not an ISO 8601 time", field: "until")
            }
            end = .at(parsed)
        case (.absent, .null):
            end = .lifted
        case (.absent, .absent):
            throw APIError(.badRequest, "give how long ('for': \"1h\") or until when ('until': an ISO 8601 time, or null to lift the silence)", field: "for")
        default:
            throw APIError(.badRequest, "give either 'for' (a duration) or 'until' (an ISO 8601 time or null), not both or another type", field: "until")
        }
    }
}

/// `{"host": "web-1", "check": "backup" (optional), "paused": true}`
struct PauseRequest: Decodable, Sendable {
    var target: CheckTarget
    var paused: Bool

    private enum Keys: String, CodingKey { case paused }

    init(from decoder: any Decoder) throws {
        target = try CheckTarget(from: decoder)
        // A JSON boolean only: 1 is not true.
        guard case .value(let paused) = try decoder.container(keyedBy: Keys.self).field(Bool.self, .paused) else {
            throw APIError(.badRequest, "must be true or false", field: "paused")
        }
        self.paused = paused
    }
}
