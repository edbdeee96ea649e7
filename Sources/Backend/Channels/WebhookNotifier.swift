import Foundation

/// A generic webhook: the message as JSON (`NotificationMessage`), POSTed to `WEBHOOK_URL`.
struct WebhookNotifier: Notifier {
    var url: String

    var budget: ChannelBudget { ChannelBudget(spacing: 0, folds: false) }

    /// One notification per request, as before groups existed: programs read it.
    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        guard group.messages.count == 1, let message = group.messages.first else {
            return .rejected("the webhook takes one notification per request")
        }
        return await post(Data(message.json().utf8))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        let body = (try? JSONSerialization.data(withJSONObject: ["kind": "backend", "text": text], options: [.sortedKeys])) ?? Data()
        return await post(body)
    }

    private func post(_ body: Data) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let (status, retryAfter, data) = try await NotifierHTTP.postJSON(url, body: body)
            attempt = NotifierHTTP.classify(status: status, retryAfter: retryAfter, detail: String(decoding: data.prefix(200), as: UTF8.self))
        } catch {
            attempt = .retry(after: nil, error: "the webhook could not be reached: \(error)")
        }
        // A webhook URL may hold its secret in the path, as Slack's do.
        return attempt.hiding(NotifierHTTP.secrets(ofURL: url))
    }
}
