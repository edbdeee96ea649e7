import Foundation

extension GroupText {
    /// A message about the backend itself (`sendDirect`): plain lines, escaped by `render` like any text.
    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { [.text(String($0))] }
    }

    /// The group in `markup` within `limit` (as `measure` counts it): a long group names fewer
    /// checks first ("and N more"), and only a text still too long is cut.
    static func render(_ group: NotificationGroup, _ markup: Markup, limit: Int,
                       measure: (String) -> Int = { $0.count }) -> String {
        var text = ""
        for named in [20, 10, 5, 1] {
            text = GroupText(group, maxNamed: named).render(markup)
            if measure(text) <= limit { return text }
        }
        return cut(text, limit: limit, measure: measure)
    }

    /// `text` shortened to end in "…" within `limit`.
    static func cut(_ text: String, limit: Int, measure: (String) -> Int = { $0.count }) -> String {
        guard measure(text) > limit else { return text }
        var kept = Substring(text)
        while !kept.isEmpty && measure(kept + "…") > limit {
            kept = kept.dropLast(max(1, (measure(kept + "…") - limit) / 4))
        }
        return kept + "…"
    }
}
