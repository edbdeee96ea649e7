import Foundation
import Hummingbird
import Shared

/// Silences, pause and the flip history. A silence mutes messages until a time; a paused check
/// is not evaluated at all. Both need a token that is not scoped to one host.
struct AlertController<Context: RequestContext> {
    let store: any Store
    let alerting: AlertingService

    static var maxFlips: Int { 1000 }
    /// Longest silence, so a typo does not mute a check for a century.
    static var maxSilence: Double { 366 * 86400 }

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("silences", use: silence)
            .post("pause", use: pause)
            .get("flips", use: flips)
    }

    @Sendable func silence(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONRequest.decode(SilenceRequest.self, from: request)
        let (host, check) = (body.target.host, body.target.check)
        let now = Date()
        let until: Date? = switch body.end {
        case .after(let span): now.addingTimeInterval(Double(span.seconds))
        case .at(let date): date
        case .lifted: nil
        }
        if let end = until, end.timeIntervalSince(now) > Self.maxSilence {
            throw APIError(.badRequest, "a silence may last at most 366 days", field: "until")
        }
        let effective = until.flatMap { $0 > now ? $0 : nil }
        let count = try await alerting.silence(host: host, check: check, until: effective, now: now)
        guard count > 0 else { throw Self.notFound(host: host, check: check) }
        return try JSONBody.response(SilenceBody(host: host, check: check, until: effective, checks: count))
    }

    @Sendable func pause(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONRequest.decode(PauseRequest.self, from: request)
        let (host, check, paused) = (body.target.host, body.target.check, body.paused)
        let count = try await alerting.pause(host: host, check: check, paused: paused, now: Date())
        guard count > 0 else { throw Self.notFound(host: host, check: check) }
        return try JSONBody.response(PauseBody(host: host, check: check, paused: paused, checks: count))
    }

    /// `GET /api/v1/flips?host=&check=&limit=`, newest first.
    @Sendable func flips(_ request: Request, context: Context) async throws -> Response {
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
        let flips = try await store.flips(host: host, check: check, limit: limit)
        return try JSONBody.response(["flips": flips])
    }

    struct SilenceBody: Encodable {
        var host: String
        var check: String?
        var until: Date?
        var checks: Int
    }

    struct PauseBody: Encodable {
        var host: String
        var check: String?
        var paused: Bool
        var checks: Int
    }

    static func notFound(host: String, check: String?) -> APIError {
        if let check { return APIError(.notFound, "host '\(host.prefix(200))' has no check '\(check.prefix(200))'", field: "check") }
        return APIError(.notFound, "no host '\(host.prefix(200))' with checks", field: "host")
    }
}
