import Foundation
import Hummingbird

/// `/flips`: the history of state changes, newest first, filterable by host and check.
struct FlipsPageController: Sendable {
    let pages: WebPages
    static let limits = [50, 200, 1000]

    func add(to routes: PageRoutes) {
        routes.users.get("flips", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let query = request.uri.queryParameters
        let host = query.get("host").flatMap { $0.isEmpty ? nil : String($0.prefix(1024)) }
        let check = query.get("check").flatMap { $0.isEmpty ? nil : String($0.prefix(1024)) }
        let to = query.get("to").flatMap { CheckState(rawValue: $0) }
        let limit = query.get("limit").flatMap { Int($0) }.flatMap { Self.limits.contains($0) ? $0 : nil } ?? 200
        let now = Date()
        let flips = try await pages.store.flips(host: host, check: check, limit: limit)
            .filter { to == nil || $0.to == to }
        let model: [String: Any] = [
            "flips": flips.map { FlipRows.row($0, now: now) }, "empty": flips.isEmpty,
            "filters": ["host": host ?? "", "check": check ?? ""],
            "states": [("", "any"), ("alert", "to alert"), ("ok", "to ok"), ("no-data", "to no data")].map { value, label in
                ["value": value, "label": label, "selected": value == (to?.rawValue ?? "")] as [String: Any]
            },
            "limits": Self.limits.map { ["value": $0, "selected": $0 == limit] as [String: Any] },
        ]
        return pages.render("flips", request: request, session: session, title: "Flips", nav: "flips", model)
    }
}
