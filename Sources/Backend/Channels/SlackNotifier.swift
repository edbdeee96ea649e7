import Foundation

/// A Slack incoming webhook (`SLACK_WEBHOOK_URL`): `{"text": mrkdwn}`. Mattermost's incoming
/// webhooks take the same body.
struct SlackNotifier: Notifier {
    /// The URL is the secret: whoever has it may post.
    var url: String

    private struct Body: Encodable {
        var text: String
    }

    /// Slack allows about one message a second per webhook.
    var budget: ChannelBudget { ChannelBudget(spacing: 1) }

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        // Slack truncates a text beyond 40,000 characters and advises 4,000.
        await post(GroupText.render(group, .slack, limit: 4000))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post(GroupText.cut(GroupText(text: text).render(.slack), limit: 4000))
    }

    private func post(_ text: String) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let answer = try await NotifierHTTP.send(url, json: try JSONEncoder().encode(Body(text: text)))
            // Slack answers errors in plain text: invalid_payload, no_service, channel_not_found.
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: answer.retryAfter, detail: answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("Slack", error)
        }
        return attempt.hiding(NotifierHTTP.secrets(ofURL: url))
    }
}
