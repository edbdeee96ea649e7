import Foundation
import Hummingbird
import Shared

/// The read API: hosts, checks and samples as JSON, and deleting a check. Needs a token that is
/// not scoped to one host. Check names contain slashes (`disk:/var`), so the name is the rest of
/// the path, raw or percent-encoded.
struct ReadController<Context: RequestContext> {
    let store: any Store

    /// Most samples one request returns.
    static var maxSamples: Int { 100_000 }

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get("hosts", use: hosts)
            .get("checks", use: checks)
            .get("checks/:host/**", use: check)
            .delete("checks/:host/**", use: delete)
    }

    @Sendable func hosts(_ request: Request, context: Context) async throws -> Response {
        let hosts = try await store.hosts()
        return try JSONBody.response(["hosts": hosts])
    }

    @Sendable func checks(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        let host = query.get("host").flatMap { $0.isEmpty ? nil : $0 }
        var state: CheckState?
        if let raw = query.get("state"), !raw.isEmpty {
            guard let parsed = CheckState(rawValue: raw) else {
                throw APIError(.badRequest, "unknown state '\(raw.prefix(40))'; use ok, alert or no-data", field: "state")
            }
            state = parsed
        }
        let checks = try await store.checks(host: host, state: state)
        return try JSONBody.response(["checks": checks])
    }

    /// `GET /api/v1/checks/{host}/{name}/samples?from=&to=`, or the check itself without `/samples`.
    @Sendable func check(_ request: Request, context: Context) async throws -> Response {
        let (host, rest) = try Self.hostAndName(request, context: context)
        if rest.hasSuffix("/samples"), rest.count > "/samples".count {
            let name = try Self.decodeName(String(rest.dropLast("/samples".count)))
            let query = request.uri.queryParameters
            let now = Date()
            let to = try Self.time(query.get("to"), field: "to") ?? now
            let from = try Self.time(query.get("from"), field: "from") ?? to.addingTimeInterval(-86400)
            guard from <= to else { throw APIError(.badRequest, "must not be after 'to'", field: "from") }
            var limit = Self.maxSamples
            if let raw = query.get("limit") {
                guard let parsed = Int(raw), (1...Self.maxSamples).contains(parsed) else {
                    throw APIError(.badRequest, "must be a whole number from 1 to \(Self.maxSamples)", field: "limit")
                }
                limit = parsed
            }
            let samples = try await store.samples(host: host, name: name, from: from, to: to, limit: limit)
            guard let samples else { throw Self.notFound(host: host, name: name) }
            return try JSONBody.response(SamplesBody(host: host, name: name, from: from, to: to, samples: samples))
        }
        let name = try Self.decodeName(rest)
        let checks = try await store.checks(host: host, state: nil)
        guard let check = checks.first(where: { $0.name == name }) else { throw Self.notFound(host: host, name: name) }
        return try JSONBody.response(check)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let (host, rest) = try Self.hostAndName(request, context: context)
        let name = try Self.decodeName(rest)
        let deleted = try await store.deleteCheck(host: host, name: name)
        guard deleted else { throw Self.notFound(host: host, name: name) }
        return try JSONBody.response(["deleted": name])
    }

    struct SamplesBody: Encodable {
        var host: String
        var name: String
        var from: Date
        var to: Date
        var samples: [SampleRecord]
    }

    /// The host and the check name from the raw path. The router drops empty path components,
    /// but `disk:/` ends in a slash, so the name is cut from the path text itself.
    static func hostAndName(_ request: Request, context: Context) throws -> (host: String, name: String) {
        guard let rawHost = context.parameters.get("host"), let host = rawHost.removingPercentEncoding else {
            throw APIError(.badRequest, "the host in the path is not valid percent-encoding", field: "host")
        }
        let path = request.uri.path
        let marker = "/checks/\(rawHost)/"
        guard let range = path.range(of: marker) else { throw APIError(.badRequest, "is missing from the path", field: "name") }
        let rest = String(path[range.upperBound...])
        guard !rest.isEmpty else { throw APIError(.badRequest, "is missing from the path", field: "name") }
        return (host, rest)
    }

    static func decodeName(_ raw: String) throws -> String {
        guard let name = raw.removingPercentEncoding, !name.isEmpty else {
            throw APIError(.badRequest, "the check name in the path is not valid percent-encoding", field: "name")
        }
        return name
    }

    /// ISO 8601 or Unix seconds.
    static func time(_ raw: String?, field: String) throws -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds < 1e11 { return Date(timeIntervalSince1970: seconds) }
        if let date = Report.parseTime(raw) { return date }
        throw APIError(.badRequest, "'\(raw.prefix(40))' is neither an ISO 8601 time nor Unix seconds", field: field)
    }

    static func notFound(host: String, name: String) -> APIError {
        APIError(.notFound, "host '\(host.prefix(200))' has no check '\(name.prefix(200))'", field: "name")
    }
}
