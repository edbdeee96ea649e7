import Foundation

/// Messages as people read them. Telegram gets HTML (parse_mode HTML), so every name and reason
/// is escaped: a mount named `/data&<x>#1` arrives intact.
enum MessageText {
    static func html(_ message: NotificationMessage) -> String {
        let who = "<b>\(escape(message.host))</b> · <code>\(escape(message.check))</code>"
        var lines: [String]
        switch message.kind {
        case .problem:
            let what = message.to == .noData ? "NO DATA" : "ALERT"
            lines = ["\(message.to == .noData ? "⚪" : "🔴") \(what) \(who)", escape(message.reason)]
        case .recovery:
            let lasted = message.duration.map { "; the problem lasted \(Durations.words($0))" } ?? ""
            lines = ["✅ OK \(who)", escape(message.reason) + lasted]
        case .flapping:
            lines = ["🔁 FLAPPING \(who)", escape(message.reason)]
        case .reminder:
            lines = ["🔴 STILL \(message.to == .noData ? "NO DATA" : "ALERTING") \(who)", escape(message.reason)]
        }
        if let link = message.link { lines.append("<a href=\"\(escape(link))\">open the check</a>") }
        return lines.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
