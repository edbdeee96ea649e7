import Foundation

/// Telegram's Bot API: `POST {api}/bot{token}/sendMessage` with a JSON body, one chat per channel.
struct TelegramNotifier: Notifier {
    var apiURL: String
    var botToken: String
    var chatID: String

    private struct Body: Encodable {
        var chat_id: String
        var text: String
        var parse_mode = "HTML"
        var disable_web_page_preview = true
    }

    private struct Answer: Decodable {
        struct Parameters: Decodable { var retry_after: Double? }
        var ok: Bool
        var description: String?
        var parameters: Parameters?
    }

    /// Telegram allows a message a second in a private chat, and 20 a minute in a group (whose
    /// chat id is negative).
    var budget: ChannelBudget { ChannelBudget(spacing: chatID.hasPrefix("-") ? 3 : 1) }

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        // Telegram takes 4,096 characters (counted after parsing the HTML: the markup is slack).
        await post(GroupText.fitting(group, .html, limit: 4096))
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        await post(HTMLText.escape(text))
    }

    private func post(_ html: String) async -> DeliveryAttempt {
        let base = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        do {
            let body = try JSONEncoder().encode(Body(chat_id: chatID, text: html))
            let (status, retryAfter, data) = try await NotifierHTTP.postJSON("\(base)/bot\(botToken)/sendMessage", body: body)
            let answer = try? JSONDecoder().decode(Answer.self, from: data)
            // Telegram says how long to wait in the body of a 429.
            let wait = answer?.parameters?.retry_after ?? retryAfter
            return NotifierHTTP.classify(status: status, retryAfter: wait, detail: answer?.description ?? "no description")
        } catch {
            // Never log the URL: it holds the bot token.
            return .retry(after: nil, error: "Telegram could not be reached: \(type(of: error)) \(error)".replacingOccurrences(of: botToken, with: "***"))
        }
    }
}
