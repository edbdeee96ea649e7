import Foundation

/// Notifications folded into one message for one channel. Its messages come in fair order,
/// round robin over hosts, so the first lines name as many hosts as they can.
struct NotificationGroup: Sendable, Equatable {
    /// The smallest notification id in it. It names the group's page, and it keeps a retry
    /// idempotent where a channel takes a key (Matrix's transaction id, email's Message-ID).
    var id: Int64
    var messages: [NotificationMessage]
    /// The page that lists every notification of the group, when PUBLIC_URL is set.
    var link: String?

    init(id: Int64, messages: [NotificationMessage], link: String? = nil) {
        self.id = id
        self.messages = messages
        self.link = link
    }

    init(single message: NotificationMessage, id: Int64 = 0) {
        self.init(id: id, messages: [message])
    }
}
