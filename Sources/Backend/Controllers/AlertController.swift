import Foundation
import Hummingbird
import Shared

/// Silences, pause and the flip history. A silence mutes messages until a time; a paused check
/// is not evaluated at all. Both need a token that is not scoped to one host.
struct AlertController<Context: RequestContext> {
    let store: any Store
    let alerting: AlertingService
    let auth: TokenAuthenticator

    static var maxFlips: Int { 1000 }
    /// Longest silence, so a typo does not mute a check for a century.
    static var maxSilence: Double { 366 * 86400 }

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("silences", use: silence)
            .post("pause", use: pause)
            .get("flips", use: flips)
    }

    /// `{"host": "web-1", "check": "disk:/" (optional: every check of the host), "for": "1h" | "until": "2026-…" | "until": null}`
    @Sendable func silence(_ request: Request, context: Context) async throws -> Response {
        _ = try await auth.reader(of: request)
        let (object, _) = try await Self.jsonObject(request)
        let (host, check) = try Self.target(object)
        let now = Date()
        var until: Date?
        switch (object["for"], object["until"]) {
        case (let span as String, nil):
            guard let parsed = try? TimeSpan(parsing: span), parsed.seconds > 0 else {
                throw APIError(.badRequest, "'\(span.prefix(40))' is not a duration such as 90s, 5m, 1h, 1d", field: "for")
            }
            until = now.addingTimeInterval(Double(parsed.seconds))
        case (nil, let text as String):
            guard let parsed = Report.parseTime(text) else {
                throw APIError(.badRequest, "'\(text.prefix(40))' is not an ISO 8601 time", field: "until")
            }
            until = parsed
        case (nil, is NSNull):
            until = nil
        case (nil, nil):
            throw APIError(.badRequest, "give how long ('for': \"1h\") or until when ('until': an ISO 8601 time, or null to lift the silence)", field: "for")
        default:
            throw APIError(.badRequest, "give either 'for' (a duration) or 'until' (an ISO 8601 time or null), not both or another type", field: "until")
        }
        if let end = until, end.timeIntervalSince(now) > Self.maxSilence {
            throw APIError(.badRequest, "a silence may last at most 366 days", field: "until")
        }
        let effective = until.flatMap { $0 > now ? $0 : nil }
        let count = try await withStorage(context.logger) { try await alerting.silence(host: host, check: check, until: effective, now: now) }
        guard count > 0 else { throw Self.notFound(host: host, check: check) }
        return try JSONBody.response(SilenceBody(host: host, check: check, until: effective, checks: count))
    }

    /// `{"host": "web-1", "check": "backup" (optional), "paused": true}`
    @Sendable func pause(_ request: Request, context: Context) async throws -> Response {
        _ = try await auth.reader(of: request)
        let (object, data) = try await Self.jsonObject(request)
        let (host, check) = try Self.target(object)
        // JSONSerialization reads 1 as true too; the decoder accepts only a JSON boolean.
        guard let paused = (try? JSONDecoder().decode(PausedField.self, from: data))?.paused else {
            throw APIError(.badRequest, "must be true or false", field: "paused")
        }
        let count = try await withStorage(context.logger) { try await alerting.pause(host: host, check: check, paused: paused, now: Date()) }
        guard count > 0 else { throw Self.notFound(host: host, check: check) }
        return try JSONBody.response(PauseBody(host: host, check: check, paused: paused, checks: count))
    }

    /// `GET /api/v1/flips?host=&check=&limit=`, newest first.
    @Sendable func flips(_ request: Request, context: Context) async throws -> Response {
        _ = try await auth.reader(of: request)
        let query = request.uri.queryParameters
        let host = query.get("host").flatMap { $0.isEmpty ? nil : $0 }
        let check = query.get("check").flatMap { $0.isEmpty ? nil : $0 }
        var limit = 100
        if let raw = query.get("limit") {
            guard let parsed = Int(raw), (1...Self.maxFlips).contains(parsed) else {
                throw APIError(.badRequest, "must be a whole number from 1 to \(Self.maxFlips)", field: "limit")
            }
            limit = parsed
        }
        let flips = try await withStorage(context.logger) { [limit] in try await store.flips(host: host, check: check, limit: limit) }
        return try JSONBody.response(["flips": flips])
    }

    struct SilenceBody: Encodable {
        var host: String
        var check: String?
        var until: Date?
        var checks: Int
    }

    struct PausedField: Decodable { var paused: Bool }

    struct PauseBody: Encodable {
        var host: String
        var check: String?
        var paused: Bool
        var checks: Int
    }

    static func jsonObject(_ request: Request) async throws -> ([String: Any], Data) {
        let data = Data(buffer: try await RequestBody.collect(request, limit: 16 << 10))
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        return (object, data)
    }

    static func target(_ object: [String: Any]) throws -> (host: String, check: String?) {
        guard let host = object["host"] as? String, !host.isEmpty, host.count <= 1000 else {
            throw APIError(.badRequest, "must name the host, as a string", field: "host")
        }
        switch object["check"] {
        case nil, is NSNull: return (host, nil)
        case let check as String where !check.isEmpty && check.count <= 1000: return (host, check)
        default: throw APIError(.badRequest, "must be a check name, or left out for every check of the host", field: "check")
        }
    }

    static func notFound(host: String, check: String?) -> APIError {
        if let check { return APIError(.notFound, "host '\(host.prefix(200))' has no check '\(check.prefix(200))'", field: "check") }
        return APIError(.notFound, "no host '\(host.prefix(200))' with checks", field: "host")
    }
}
