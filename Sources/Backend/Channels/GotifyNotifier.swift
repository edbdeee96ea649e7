import Foundation

/// A Gotify application: `POST {GOTIFY_URL}/message` with the app's token in `X-Gotify-Key`
/// (never in the URL, where proxies log it), the text as markdown.
struct GotifyNotifier: Notifier {
    var serverURL: String
    var token: String

    private struct Body: Encodable {
        struct Extras: Encodable {
            struct Display: Encodable { var contentType = "text/markdown" }
            var display = Display()
            enum CodingKeys: String, CodingKey { case display = "client::display" }
        }
        var title: String
        var message: String
        /// 8 (the app's sound and pop-up) while something is wrong; 4 for recoveries alone.
        var priority: Int
        var extras = Extras()
    }

    private struct Answer: Decodable {
        var error: String?
        var errorDescription: String?
    }

    /// A self-hosted Gotify has no documented limit; one a second keeps phones readable.
    var budget: ChannelBudget { ChannelBudget(spacing: 1) }

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        let problem = group.messages.contains { $0.kind != .recovery }
        return await post(Body(title: GroupText(group).title, message: GroupText(group).render(.markdown), priority: problem ? 8 : 4))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post(Body(title: "metrics-backend", message: GroupText(text: text).render(.markdown), priority: 8))
    }

    private func post(_ body: Body) async -> DeliveryAttempt {
        let attempt: DeliveryAttempt
        do {
            let answer = try await NotifierHTTP.send(NotifierHTTP.join(serverURL, "/message"), headers: [("X-Gotify-Key", token)],
                                                     json: try JSONEncoder().encode(body))
            let error = try? JSONDecoder().decode(Answer.self, from: answer.body)
            attempt = NotifierHTTP.classify(status: answer.status, retryAfter: answer.retryAfter,
                                            detail: error?.error.map { "\($0): \(error?.errorDescription ?? "")" } ?? answer.text)
        } catch {
            attempt = NotifierHTTP.unreachable("Gotify", error)
        }
        return attempt.hiding([token])
    }
}
