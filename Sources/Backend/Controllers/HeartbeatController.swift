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
        for (field, text) in [("host", host), ("name", name)] {
            do { try Names.check(text, field: field, maxLength: config.reportLimits.maxNameLength) } catch { throw APIError.invalid(error) }
        }
        guard name != reservedHostCheckName else { throw APIError(.badRequest, "'\(name)' is reserved for the host's own check", field: "name") }
        func seconds(_ field: String) throws -> Int? {
            switch object[field] {
            case nil, is NSNull: return nil
            case let text as String:
                guard let span = try? TimeSpan(parsing: text), span.seconds > 0 else {
                    throw APIError(.badRequest, "'\(text.prefix(40))' is not a duration such as 90s, 5m, 1h, 1d", field: field)
                }
                return span.seconds
            default: throw APIError(.badRequest, "must be a duration such as \"1h\"", field: field)
            }
        }
        let slug = Slug.of(name)
        guard !slug.isEmpty else { throw APIError(.badRequest, "needs at least one letter or digit, for its slug", field: "name") }
        var spec = HeartbeatSpec(host: host, name: name, slug: slug, every: try seconds("every"), grace: try seconds("grace"))
        if let cron = object["cron"] {
            guard let text = cron as? String, text.count <= 200 else { throw APIError(.badRequest, "must be a cron expression such as \"0 3 * * *\"", field: "cron") }
            let zone = object["timezone"] as? String ?? "UTC"
            do { _ = try CronSchedule(text, timeZone: zone) } catch let error as CronSchedule.ParseError {
                throw APIError(.badRequest, error.description, field: error.description.contains("time zone") ? "timezone" : "cron")
            }
            spec.cron = text
            spec.timezone = zone
        }
        let made = try await withStorage(context.logger) { try await store.ensureHeartbeat(spec, now: Date()) }
        let base = config.publicURL ?? ""
        return try JSONBody.response(
            Created(host: host, name: name, slug: slug, pingId: made.pingID, pingURL: "\(base)/ping/\(made.pingID)", created: made.created),
            status: made.created ? .created : .ok)
    }
}
