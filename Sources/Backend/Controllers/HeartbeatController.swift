import Foundation
import Hummingbird
import Shared

/// `POST /api/v1/heartbeats`: makes a heartbeat check for a job and answers with its ping URL.
/// `{"host": "web-1", "name": "backup-db", "every": "1d", "grace": "1h"}`, or a cron schedule instead of
/// `every`: `"cron": "0 3 * * *", "timezone": "Europe/Berlin"`. It waits for its
/// first ping before anything can be late. Needs an all-hosts token.
struct HeartbeatController<Context: RequestContext> {
    let store: any Store
    let auth: TokenAuthenticator
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
        _ = try await auth.reader(of: request)
        let (object, _) = try await AlertController<Context>.jsonObject(request)
        guard let host = object["host"] as? String else { throw APIError(.badRequest, "must name the host, as a string", field: "host") }
        guard let name = object["name"] as? String else { throw APIError(.badRequest, "must name the heartbeat, as a string", field: "name") }
        func text(_ field: String, _ example: String) throws -> String? {
            switch object[field] {
            case nil, is NSNull: return nil
            case let text as String: return text
            default: throw APIError(.badRequest, "must be a string such as \"\(example)\"", field: field)
            }
        }
        let spec = try HeartbeatInput.spec(
            host: host, name: name, every: try text("every", "1h"), grace: try text("grace", "1h"),
            cron: try text("cron", "0 3 * * *"), timezone: try text("timezone", "Europe/Berlin"),
            maxNameLength: config.reportLimits.maxNameLength)
        let slug = spec.slug ?? ""
        let made = try await withStorage(context.logger) { try await store.ensureHeartbeat(spec, now: Date()) }
        let base = config.publicURL ?? ""
        return try JSONBody.response(
            Created(host: host, name: name, slug: slug, pingId: made.pingID, pingURL: "\(base)/ping/\(made.pingID)", created: made.created),
            status: made.created ? .created : .ok)
    }
}
