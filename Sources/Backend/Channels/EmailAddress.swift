import Foundation

/// One mailbox from a setting: `ops@example.com` or `Metrics <ops@example.com>`.
struct EmailAddress: Sendable, Equatable {
    var name: String?
    var address: String

    /// Nil when `text` is no single plain address (no spaces, quotes, commas or line breaks in it).
    init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces)
            guard !name.contains(where: { "<>\"\r\n,".contains($0) }) else { return nil }
            self.name = name.isEmpty ? nil : name
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        } else {
            address = text
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), address.utf8.count <= 254,
              address.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) })
        else { return nil }
    }

    /// As a From or To header writes it; a name beyond ASCII is RFC 2047 encoded.
    var header: String {
        guard let name else { return address }
        return "\(EmailMessage.encodedWords(name)) <\(address)>"
    }
}
