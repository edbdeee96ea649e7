import Foundation
import Hummingbird

/// `/notifications/{id}`: every notification a group went out with, where a message's
/// "and N more" leads.
struct NotificationGroupPageController: Sendable {
    let pages: WebPages
    let outbox: OutboxService

    func add(to routes: PageRoutes) {
        routes.users.get("notifications/:id", use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else {
            throw PageError(.badRequest, "A notification group is named by its number.")
        }
        let members = try await outbox.groupMembers(id: id)
        guard let first = members.first else { throw PageError(.notFound, "There is no notification group \(id).") }
        let now = Date()
        let flips = members.map { member in
            let message = member.notification.message
            return FlipRows.row(Flip(host: message.host, check: message.check, at: message.at, from: message.from, to: message.to,
                                     value: message.value, reason: message.reason), now: now)
        }
        let model: [String: Any] = [
            "id": id, "channel": first.notification.channel, "count": members.count,
            "sent": first.deliveredAt.map { TimeText.utc($0) } ?? "not yet", "flips": flips,
        ]
        return pages.render("notification-group", request: request, session: session, title: "Notification group \(id)", nav: "flips", model)
    }
}
