import Foundation

/// Notifications folded into one message for one channel. Its messages come in fair order,
/// round robin over hosts, so the first lines name as many hosts as they can.
struct NotificationGroup: Sendable, Equatable {
    /// The smallest notification id in it; it names the group's page.
    var id: Int64
    /// Names exactly these notifications, so a retry of the same group is the same to a channel
    /// that takes an idempotency key (Matrix's transaction id, email's Message-ID), and a group
    /// that gained or lost members is not taken for it.
    var key: String
    var messages: [NotificationMessage]
    /// The page that lists every notification of the group, when PUBLIC_URL is set.
    var link: String?

    init(id: Int64, messages: [NotificationMessage], link: String? = nil, members: [Int64]? = nil) {
        self.id = id
        self.messages = messages
        self.link = link
        key = Self.key(members ?? [id])
    }

    init(single message: NotificationMessage, id: Int64 = 0) {
        self.init(id: id, messages: [message])
    }

    /// The smallest id, the count, and a 64-bit FNV-1a hash of the sorted ids.
    static func key(_ members: [Int64]) -> String {
        let sorted = members.sorted()
        guard sorted.count > 1 else { return "\(sorted.first ?? 0)" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in sorted {
            for byte in withUnsafeBytes(of: id.littleEndian, Array.init) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return "\(sorted[0])-\(sorted.count)-\(String(hash, radix: 16))"
    }
}
