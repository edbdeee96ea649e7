import Foundation

/// An ntfy topic: JSON published to the server's root (`NTFY_URL`, default https://ntfy.sh) with
/// the topic in the body, markdown on, and an access token when the topic is protected.
struct NtfyNotifier: Notifier {
    var serverURL: String
    var topic: String
    var token: String?

    private struct Body: Encodable {
        var topic: String
        var title: String
        var message: String
        var markdown = true
        /// 4 (high) while something is wrong; 3 (default) for recoveries alone.
        var priority: Int
        var click: String?
    }

    private struct Answer: Decodable {
        var error: String?
        var code: Int?
    }

    /// ntfy.sh lets a visitor burst, then refills one message every 5 s.
    var budget: ChannelBudget { ChannelBudget(spacing: 5) }

    /// ntfy turns a message beyond 4,096 bytes into an attachment, or refuses it.
    static let maxMessageBytes = 4000

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        let problem = group.messages.contains { $0.kind != .recovery }
        return await post(Body(topic: topic, title: GroupText(group).title,
                               message: GroupText.render(group, .markdown, limit: Self.maxMessageBytes, measure: { $0.utf8.count }),
                               priority: problem ? 4 : 3, click: group.link ?? group.messages.first?.link))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post(Body(topic: topic, title: "metrics-backend",
                        message: GroupText.cut(GroupText(text: text).render(.markdown), limit: Self.maxMessageBytes, measure: { $0.utf8.count }),
                        priority: 4, click: nil))
    }

    private func post(_ body: Body) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
            let answer = try await NotifierHTTP.send(serverURL, headers: headers, json: try JSONEncoder().encode(body))
            let error = try? JSONDecoder().decode(Answer.self, from: answer.body)
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: answer.retryAfter,
                                            detail: error?.error.map { "\($0) (code \(error?.code ?? 0))" } ?? answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("ntfy", error)
        }
        return attempt.hiding(token.map { [$0] } ?? [])
    }
}
