import Foundation

/// Messages as people read them. Telegram gets HTML (parse_mode HTML), so every name and reason
/// is escaped: a mount named `/data&<x>#1` arrives intact.
enum MessageText {
    static func html(_ event: FlipEvent) -> String {
        let who = "<b>\(escape(event.host))</b> · <code>\(escape(event.check))</code>"
        var lines: [String]
        switch event.kind {
        case .problem:
            let what = event.to == .noData ? "NO DATA" : "ALERT"
            lines = ["\(event.to == .noData ? "⚪" : "🔴") \(what) \(who)", escape(event.reason)]
        case .recovery:
            let lasted = event.duration.map { "; the problem lasted \(Durations.words($0))" } ?? ""
            lines = ["✅ OK \(who)", escape(event.reason) + lasted]
        case .flapping:
            lines = ["🔁 FLAPPING \(who)", escape(event.reason)]
        case .reminder:
            lines = ["🔴 STILL \(event.to == .noData ? "NO DATA" : "ALERTING") \(who)", escape(event.reason)]
        }
        if let link = event.link { lines.append("<a href=\"\(escape(link))\">open the check</a>") }
        return lines.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
