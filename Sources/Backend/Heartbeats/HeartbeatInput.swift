import Foundation
import Shared

/// A heartbeat as a user asks for it, by the API or the page: checked into a `HeartbeatSpec`,
/// or an error naming the field.
enum HeartbeatInput {
    static func spec(host: String, name: String, every: String?, grace: String?, cron: String?, timezone: String?,
                     maxNameLength: Int) throws -> HeartbeatSpec {
        do { try Names.check(host, field: "host", maxLength: maxNameLength) } catch { throw APIError.invalid(error) }
        if let refusal = refusal(ofName: name, maxLength: maxNameLength) { throw refusal }
        func seconds(_ text: String?, _ field: String) throws -> Int? {
            guard let text, !text.isEmpty else { return nil }
            guard let span = try? TimeSpan(parsing: text), span.seconds > 0 else {
                throw APIError(.badRequest, "'\(text.prefix(40))' is not a duration such as 90s, 5m, 1h, 1d", field: field)
            }
            return span.seconds
        }
        let slug = Slug.of(name)
        guard !slug.isEmpty else { throw APIError(.badRequest, "needs at least one letter or digit, for its slug", field: "name") }
        var spec = HeartbeatSpec(host: host, name: name, slug: slug, every: try seconds(every, "every"), grace: try seconds(grace, "grace"))
        if let cron, !cron.isEmpty {
            guard cron.count <= 200 else { throw APIError(.badRequest, "must be a cron expression such as \"0 3 * * *\"", field: "cron") }
            let zone = timezone.flatMap { $0.isEmpty ? nil : $0 } ?? "UTC"
            do { _ = try CronSchedule(cron, timeZone: zone) } catch let error as CronSchedule.ParseError {
                throw APIError(.badRequest, error.description, field: error.description.contains("time zone") ? "timezone" : "cron")
            }
            spec.cron = cron
            spec.timezone = zone
        }
        return spec
    }

    /// A heartbeat's name follows the rules of a report's check names: printable, bounded, and
    /// never the host's own check.
    static func refusal(ofName name: String, maxLength: Int) -> APIError? {
        do { try Names.check(name, field: "name", maxLength: maxLength) } catch { return APIError.invalid(error) }
        guard name != reservedHostCheckName else { return APIError(.badRequest, "'\(name)' is reserved for the host's own check", field: "name") }
        return nil
    }
}
