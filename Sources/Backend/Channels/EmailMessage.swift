import Foundation

/// An RFC 5322 message: headers, then the text and the HTML as multipart/alternative, base64
/// encoded (no line too long, no line that is a lone dot), with CRLF line ends and long headers folded.
struct EmailMessage: Sendable {
    var from: EmailAddress
    var to: [EmailAddress]
    var subject: String
    var text: String
    var html: String
    var date: Date
    /// Without the angle brackets: `notification-42@metrics-backend`.
    var messageID: String

    func rendered() -> String {
        let boundary = "=_metrics-" + UUID().uuidString  // "=_" cannot occur in base64
        let headers = [
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ",\r\n "))",
            "Subject: \(Self.encodedWords(subject))",
            "Date: \(Self.date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"",
        ]
        let page = "<!doctype html><html><body><div style=\"font-family: sans-serif\">"
            + html.replacingOccurrences(of: "\n", with: "<br>\n") + "</div></body></html>"
        let parts = [("text/plain", text), ("text/html", page)].map { type, body in
            "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64Lines(body))"
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined(separator: "\r\n") + "\r\n--\(boundary)--\r\n"
    }

    /// `text` as a header value: as is when plain ASCII, else RFC 2047 encoded words of at most
    /// 75 characters each, folded onto continuation lines, never splitting a character.
    static func encodedWords(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) && flat.utf8.count <= 900 { return flat }
        var words: [[UInt8]] = []
        var chunk: [UInt8] = []
        for character in flat {
            let bytes = Array(String(character).utf8)
            // 45 bytes are 60 base64 characters: with `=?UTF-8?B?` and `?=`, 72.
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append(chunk)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// RFC 5322's date: `Wed, 02 Dec 2026 08:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// Base64 in lines of 76 characters, of the text in MIME's canonical form (CRLF line ends).
    static func base64Lines(_ text: String) -> String {
        Data(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }
}
