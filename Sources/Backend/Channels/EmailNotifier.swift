import Foundation
import NIOPosix

/// Email through an SMTP server (`SMTP_URL`): the group's title as the subject, its text and
/// HTML as the two parts of one message to every address in `SMTP_TO`.
struct EmailNotifier: Notifier {
    var transfer: SMTPTransfer

    /// Mail is read later, not watched: one every 30 s at most, folding what comes in between into a digest.
    var budget: ChannelBudget { ChannelBudget(spacing: 30) }

    func send(_ group: NotificationGroup) async -> DeliveryAttempt {
        let text = GroupText(group, maxNamed: 100)
        // The group's id names the message: a retry after a lost answer reads as the same mail.
        return await deliver(subject: text.title, text: text.render(.plain), html: text.render(.html),
                             messageID: "notification-\(group.key)@metrics-backend")
    }

    func sendDirect(_ text: String) async -> DeliveryAttempt {
        let body = GroupText(text: text)
        return await deliver(subject: body.title, text: body.render(.plain), html: body.render(.html),
                             messageID: "direct-\(UUID().uuidString)@metrics-backend")
    }

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    private func deliver(subject: String, text: String, html: String, messageID: String) async -> DeliveryAttempt {
        let message = EmailMessage(from: transfer.from, to: transfer.to, subject: subject, text: text, html: html, date: Date(),
                                   messageID: messageID).rendered()
        let transfer = self.transfer
        let attempt: DeliveryAttempt
        do {
            // libcurl blocks: a thread of our own waits for the server, not the event loop, nor
            // the shared pool SQLite's queries run on.
            attempt = try await Self.pool.runIfActive { transfer.send(message) }
        } catch {
            attempt = .retry(after: nil, error: "email: \(error)")
        }
        return attempt.hiding([transfer.password, transfer.username].compactMap { $0 })
    }
}
