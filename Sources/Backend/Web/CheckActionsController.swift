import Foundation
import Hummingbird
import Shared

/// The dashboard's buttons: silence, pause and delete a check. Each is a form with the session's
/// CSRF token, and lands back on the page it came from with a notice.
struct CheckActionsController: Sendable {
    let pages: WebPages
    let alerting: AlertingService
    static let maxSilence: TimeInterval = 366 * 86400

    func add(to routes: PageRoutes) {
        routes.admins
            .post("checks/silence", use: silence)
            .post("checks/pause", use: pause)
            .post("checks/delete", use: delete)
    }

    @Sendable func silence(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, form) = try await pages.form(request, context: context)
        let (host, check) = try Self.target(form)
        let now = Date()
        var until: Date?
        let choice = form["for"] == "custom" ? (form["custom"] ?? "") : (form["for"] ?? "")
        if choice != "lift" {
            guard let span = try? TimeSpan(parsing: choice.trimmingCharacters(in: .whitespaces)), span.seconds > 0,
                  Double(span.seconds) <= Self.maxSilence else {
                throw PageError(.badRequest, "'\(choice.prefix(40))' is not a duration such as 90m, 6h or 2d (at most 366d).")
            }
            until = now.addingTimeInterval(Double(span.seconds))
        }
        let count = try await alerting.silence(host: host, check: check, until: until, now: now)
        guard count > 0 else { throw Self.notFound(host, check) }
        let what = check.map { "\($0) on \(host)" } ?? "every check of \(host)"
        let notice = until.map { "Silenced \(what) until \(TimeText.utc($0))." } ?? "Lifted the silence of \(what)."
        return pages.redirect(back: form["back"], fallback: "/dashboard", notice: notice)
    }

    @Sendable func pause(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, form) = try await pages.form(request, context: context)
        let (host, check) = try Self.target(form)
        let paused = form["paused"] != "0"
        let count = try await alerting.pause(host: host, check: check, paused: paused, now: Date())
        guard count > 0 else { throw Self.notFound(host, check) }
        let what = check.map { "\($0) on \(host)" } ?? "every check of \(host)"
        return pages.redirect(back: form["back"], fallback: "/dashboard", notice: paused ? "Paused \(what)." : "Resumed \(what).")
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, form) = try await pages.form(request, context: context)
        let (host, check) = try Self.target(form)
        guard let check else { throw PageError(.badRequest, "Name the check to delete.") }
        let deleted = try await pages.store.deleteCheck(host: host, name: check)
        guard deleted else { throw Self.notFound(host, check) }
        return pages.redirect(back: form["back"], fallback: "/dashboard", notice: "Deleted \(check) on \(host), with its history.")
    }

    static func target(_ form: [String: String]) throws -> (host: String, check: String?) {
        guard let host = form["host"], !host.isEmpty, host.utf8.count <= 1024 else { throw PageError(.badRequest, "The host is missing.") }
        let check = form["name"].flatMap { $0.isEmpty ? nil : $0 }
        if let check, check.utf8.count > 1024 { throw PageError(.badRequest, "The check name is too long.") }
        return (host, check)
    }

    static func notFound(_ host: String, _ check: String?) -> PageError {
        PageError(.notFound, check.map { "Host \(host) has no check \($0)." } ?? "There is no host \(host).")
    }
}
