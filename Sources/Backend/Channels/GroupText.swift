import Foundation

/// What a message says, written once as lines of spans; each channel renders them in its own
/// markup, and the renderer escapes: a mount named `/data&<x>#1` arrives intact everywhere.
struct GroupText: Sendable, Equatable {
    enum Span: Sendable, Equatable {
        case text(String)
        case strong(String)
        case code(String)
        case link(String, url: String)
    }

    enum Markup: Sendable {
        /// Email's text part, Matrix's `body`, ntfy and Gotify without markdown.
        case plain
        /// Telegram's HTML subset (b, code, a), Matrix's `formatted_body`, email's HTML part.
        case html
        /// Slack's mrkdwn, which Mattermost also reads.
        case slack
        /// CommonMark as Discord, ntfy and Gotify read it.
        case markdown
    }

    /// The first line is the headline.
    var lines: [[Span]]

    /// A long group names `maxNamed` checks, shared out over its sections so that a small
    /// section (one disk alert amid 200 hosts down) is always named, then says "and N more".
    init(_ group: NotificationGroup, maxNamed: Int = 20) {
        if group.messages.count == 1, let message = group.messages.first {
            lines = Self.single(message)
        } else {
            lines = Self.folded(group, maxNamed: max(1, maxNamed))
        }
    }

    /// A one-line title for channels that have one (email's subject, ntfy's and Gotify's title).
    var title: String { Self.plain(lines.first ?? []) }

    func render(_ markup: Markup) -> String {
        lines.map { line in line.map { Self.render($0, markup) }.joined() }.joined(separator: "\n")
    }

    /// The group rendered within a channel's length limit: fewer named checks until it fits
    /// (the rest are "N more" on the group's page), then cut at a line's end.
    static func fitting(_ group: NotificationGroup, _ markup: Markup, limit: Int) -> String {
        var named = 20
        while true {
            let text = GroupText(group, maxNamed: named).render(markup)
            if text.count <= limit { return text }
            if named == 1 || group.messages.count == 1 {
                var cut = String(text.prefix(limit - 1))
                if let end = cut.lastIndex(of: "\n") { cut = String(cut[..<end]) }
                return cut + "…"
            }
            named /= 2
        }
    }

    // MARK: - Wording

    private static func single(_ message: NotificationMessage) -> [[Span]] {
        let who: [Span] = [.strong(message.host), .text(" · "), .code(message.check)]
        var lines: [[Span]]
        switch message.kind {
        case .problem:
            lines = [[.text("\(icon(message)) \(word(message)) ")] + who, [.text(message.reason)]]
        case .recovery:
            let lasted = message.duration.map { "; the problem lasted \(Durations.words($0))" } ?? ""
            lines = [[.text("✅ OK ")] + who, [.text(message.reason + lasted)]]
        case .flapping:
            lines = [[.text("🔁 FLAPPING ")] + who, [.text(message.reason)]]
        case .reminder:
            lines = [[.text("🔴 STILL \(message.to == .noData ? "NO DATA" : "ALERTING") ")] + who, [.text(message.reason)]]
        }
        if let link = message.link { lines.append([.link("open the check", url: link)]) }
        return lines
    }

    private static func folded(_ group: NotificationGroup, maxNamed: Int) -> [[Span]] {
        // Sections by what happened and to which kind of check, problems first.
        var order: [String] = []
        var sections: [String: [NotificationMessage]] = [:]
        for message in group.messages.sorted(by: { rank($0) < rank($1) }) {
            let key = "\(word(message)) · \(message.checkKind.rawValue)"
            if sections[key] == nil { order.append(key) }
            sections[key, default: []].append(message)
        }
        // Share the named lines out one per section in turn.
        var named = Dictionary(uniqueKeysWithValues: order.map { ($0, 0) })
        var left = maxNamed
        while left > 0 {
            var progressed = false
            for key in order where left > 0 && named[key]! < sections[key]!.count {
                named[key]! += 1
                left -= 1
                progressed = true
            }
            if !progressed { break }
        }
        let counts = Dictionary(grouping: group.messages, by: { word($0) }).map { "\($0.value.count) \($0.key)" }.sorted()
        var lines: [[Span]] = [[.text("🔔 \(group.messages.count) notifications: \(counts.joined(separator: ", "))")]]
        var omitted = 0
        for key in order {
            let messages = sections[key]!
            lines.append([.strong("\(icon(messages[0])) \(key) (\(messages.count))")])
            for message in messages.prefix(named[key]!) {
                var line: [Span] = [.text("• "), .strong(message.host)]
                if message.checkKind != .host { line += [.text(" · "), .code(message.check)] }
                line.append(.text(" — \(clip(message.reason))"))
                lines.append(line)
            }
            omitted += messages.count - named[key]!
        }
        if omitted > 0 {
            if let link = group.link {
                lines.append([.text("… and \(omitted) more: "), .link("the full list", url: link)])
            } else {
                lines.append([.text("… and \(omitted) more, on the dashboard")])
            }
        } else if let link = group.link {
            lines.append([.link("the full list", url: link)])
        }
        return lines
    }

    private static func word(_ message: NotificationMessage) -> String {
        switch message.kind {
        case .problem: return message.to == .noData ? "NO DATA" : "ALERT"
        case .recovery: return "OK"
        case .flapping: return "FLAPPING"
        case .reminder: return "STILL \(message.to == .noData ? "NO DATA" : "ALERTING")"
        }
    }

    private static func icon(_ message: NotificationMessage) -> String {
        switch message.kind {
        case .problem, .reminder: return message.to == .noData ? "⚪" : "🔴"
        case .recovery: return "✅"
        case .flapping: return "🔁"
        }
    }

    private static func rank(_ message: NotificationMessage) -> Int {
        switch message.kind {
        case .problem: return 0
        case .flapping: return 1
        case .reminder: return 2
        case .recovery: return 3
        }
    }

    private static func clip(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(119)) + "…"
    }

    // MARK: - Markup

    private static func plain(_ line: [Span]) -> String {
        line.map { render($0, .plain) }.joined()
    }

    private static func render(_ span: Span, _ markup: Markup) -> String {
        switch (span, markup) {
        case (.text(let s), .plain), (.strong(let s), .plain), (.code(let s), .plain): return s
        case (.link(let s, let url), .plain): return "\(s): \(url)"
        case (.text(let s), .html): return HTMLText.escape(s)
        case (.strong(let s), .html): return "<b>\(HTMLText.escape(s))</b>"
        case (.code(let s), .html): return "<code>\(HTMLText.escape(s))</code>"
        case (.link(let s, let url), .html): return "<a href=\"\(HTMLText.escape(url))\">\(HTMLText.escape(s))</a>"
        case (.text(let s), .slack): return slackEscape(s)
        case (.strong(let s), .slack): return "*\(slackEscape(s))*"
        case (.code(let s), .slack): return "`\(slackEscape(s).replacingOccurrences(of: "`", with: "'"))`"
        case (.link(let s, let url), .slack): return "<\(slackEscape(url))|\(slackEscape(s).replacingOccurrences(of: "|", with: "¦"))>"
        case (.text(let s), .markdown): return markdownEscape(s)
        case (.strong(let s), .markdown): return "**\(markdownEscape(s))**"
        case (.code(let s), .markdown): return "`\(s.replacingOccurrences(of: "`", with: "'"))`"
        case (.link(let s, let url), .markdown):
            return "[\(markdownEscape(s))](\(url.replacingOccurrences(of: ")", with: "%29").replacingOccurrences(of: " ", with: "%20")))"
        }
    }

    /// Slack asks for exactly these three to be escaped.
    private static func slackEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func markdownEscape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            if "\\`*_{}[]()<>#+-.!|~".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
