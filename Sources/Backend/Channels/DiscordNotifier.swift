import Foundation

/// A Discord webhook (`DISCORD_WEBHOOK_URL`): `{"content": markdown, "allowed_mentions": {"parse": []}}`,
/// so that a check named `@everyone` pings nobody.
struct DiscordNotifier: Notifier {
    /// The URL holds the webhook's token.
    var url: String

    private struct Body: Encodable {
        struct Mentions: Encodable { var parse: [String] = [] }
        var content: String
        var allowed_mentions = Mentions()
    }

    private struct Answer: Decodable {
        var message: String?
        var code: Int?
        var retry_after: Double?
    }

    /// Webhooks may post 5 times in 2 s, and a channel takes 30 messages a minute: one every 2 s keeps both.
    var budget: ChannelBudget { ChannelBudget(spacing: 2) }

    /// Discord refuses content beyond 2,000 characters (as JavaScript counts them, in UTF-16).
    static let maxContent = 2000

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        await post(GroupText.render(group, .markdown, limit: Self.maxContent, measure: { $0.utf16.count }))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post(GroupText.cut(GroupText(text: text).render(.markdown), limit: Self.maxContent, measure: { $0.utf16.count }))
    }

    private func post(_ content: String) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let answer = try await NotifierHTTP.send(url, json: try JSONEncoder().encode(Body(content: content)))
            let error = try? JSONDecoder().decode(Answer.self, from: answer.body)
            // A 429's body says how long to wait, in seconds with a fraction; the header rounds it.
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: error?.retry_after ?? answer.retryAfter,
                                            detail: error?.message.map { "\($0) (code \(error?.code ?? 0))" } ?? answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("Discord", error)
        }
        return attempt.hiding(NotifierHTTP.secrets(ofURL: url))
    }
}
