import Foundation
import Hummingbird
import Shared

/// `POST /api/v1/heartbeats`: makes a heartbeat check for a job and answers with its ping URL.
/// `{"host": "web-1", "name": "backup-db", "every": "1d", "grace": "1h"}`, or a cron schedule instead of
/// `every`: `"cron": "0 3 * * *", "timezone": "Europe/Berlin"`. It waits for its
/// first ping before anything can be late. Needs an all-hosts token.
struct HeartbeatController<Context: RequestContext> {
    let store: any Store
    let config: BackendConfig

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).post("heartbeats", use: create)
    }

    struct Created: Encodable {
        var host: String
        var name: String
        var slug: String
        var pingId: String
        var pingURL: String
        var created: Bool
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONRequest.decode(HeartbeatRequest.self, from: request)
        let (host, name) = (body.host, body.name)
        let spec = try HeartbeatInput.spec(
            host: host, name: name, every: body.every, grace: body.grace, cron: body.cron, timezone: body.timezone,
            maxNameLength: config.reportLimits.maxNameLength)
        let slug = spec.slug ?? ""
        let made = try await store.ensureHeartbeat(spec, now: Date())
        let base = config.publicURL ?? ""
        return try JSONBody.response(
            Created(host: host, name: name, slug: slug, pingId: made.pingID, pingURL: "\(base)/ping/\(made.pingID)", created: made.created),
            status: made.created ? .created : .ok)
    }
}
