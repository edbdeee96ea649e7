import Foundation
import Hummingbird

/// `/maintenance`: the maintenance windows of the rules file, whether each is open now (and
/// until when), and when each opens next.
struct MaintenancePageController: Sendable {
    let pages: WebPages

    func add(to routes: PageRoutes) {
        routes.users.get("maintenance", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let now = Date()
        let windows: [[String: Any]] = pages.config.alerting.settings.maintenance.windows.map { window in
            var row: [String: Any] = [
                "name": window.name, "cron": window.schedule.expression, "timezone": window.schedule.timeZone.identifier,
                "duration": Durations.words(Double(window.duration)),
                "hosts": (window.hosts.isEmpty ? "every host" : window.hosts.map(\.pattern).joined(separator: ", "))
                    + (window.tags.isEmpty ? "" : " tagged " + window.tags.joined(separator: " or ")),
                "checks": window.checks.isEmpty ? "every check" : window.checks.map(\.pattern).joined(separator: ", "),
                "openUntil": false, "next": false,
            ]
            if let until = window.closes(openAt: now) { row["openUntil"] = TimeText.utc(until); row["openUntilISO"] = TimeText.iso(until) }
            if let next = window.opens(after: now) { row["next"] = TimeText.utc(next); row["nextISO"] = TimeText.iso(next); row["nextIn"] = TimeText.ago(next, now: now) }
            return row
        }
        return pages.render("maintenance", request: request, session: session, title: "Maintenance windows", nav: "maintenance",
                            ["windows": windows, "empty": windows.isEmpty])
    }
}
