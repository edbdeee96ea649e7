import Foundation

/// A Matrix room through the client-server API: `PUT {homeserver}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}`
/// with an `m.notice` (which bots send, and clients do not answer) in plain text and HTML.
struct MatrixNotifier: Notifier {
    var homeserver: String
    var accessToken: String
    /// `!opaque:server.example`.
    var roomID: String

    private struct Body: Encodable {
        var msgtype = "m.notice"
        var body: String
        var format = "org.matrix.custom.html"
        var formatted_body: String
    }

    private struct Answer: Decodable {
        var errcode: String?
        var error: String?
        var retry_after_ms: Double?
    }

    /// Synapse's default rc_message allows 0.2 messages a second per user.
    var budget: ChannelBudget { ChannelBudget(spacing: 5) }

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        let text = GroupText(group)
        // The group's id makes the transaction id: a retry of a send whose answer was lost is the
        // same event to the homeserver, not a second message.
        return await put(Body(body: text.render(.plain), formatted_body: text.render(.html)), transaction: "notification-\(group.key)")
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        let text = GroupText(text: text)
        return await put(Body(body: text.render(.plain), formatted_body: text.render(.html)), transaction: "direct-\(UUID().uuidString)")
    }

    private func put(_ body: Body, transaction: String) async -> DeliveryAttempt {
        let url = NotifierHTTP.join(homeserver, "/_matrix/client/v3/rooms/\(URLText.query(roomID))/send/m.room.message/\(URLText.query(transaction))")
        let attempt: DeliveryAttempt
        do {
            let answer = try await NotifierHTTP.send(url, method: .PUT, headers: [("Authorization", "Bearer \(accessToken)")],
                                                     json: try JSONEncoder().encode(body))
            let error = try? JSONDecoder().decode(Answer.self, from: answer.body)
            // M_LIMIT_EXCEEDED says how long to wait in its body; M_UNKNOWN_TOKEN (401) and
            // M_FORBIDDEN (403, not in the room) are final, as classify has any 4xx but 408 and 429.
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: error?.retry_after_ms.map { $0 / 1000 } ?? answer.retryAfter,
                                            detail: error.map { "\($0.errcode ?? "?"): \($0.error ?? "")" } ?? answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("Matrix", error)
        }
        return attempt.hiding([accessToken])
    }
}
