import Foundation
import Hummingbird

/// `GET /api/v1/notifications/{id}`: every notification a group went out with, the list a
/// message's "and N more" links to.
struct NotificationGroupController<Context: RequestContext> {
    let outbox: OutboxService

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("notifications/:id", use: group)
    }

    struct GroupBody: Encodable {
        var id: Int64
        var notifications: [Member]
    }

    struct Member: Encodable {
        var id: Int64
        var channel: String
        var deliveredAt: Date?
        var message: NotificationMessage
    }

    @Sendable func group(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.id(context)
        let members = try await outbox.groupMembers(id: id)
        guard !members.isEmpty else { throw APIError(.notFound, "no notification group \(id)", field: "id") }
        let body = members.map { Member(id: $0.notification.id, channel: $0.notification.channel, deliveredAt: $0.deliveredAt, message: $0.notification.message) }
        return try JSONBody.response(GroupBody(id: id, notifications: body))
    }

    static func id(_ context: some RequestContext) throws -> Int64 {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
            throw APIError(.badRequest, "must be a notification group's number", field: "id")
        }
        return id
    }
}
