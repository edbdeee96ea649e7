import Foundation

/// Times as the pages show them: "2 min ago", and ISO 8601 in `<time datetime>` for the script,
/// which rewrites them into the browser's time zone.
enum TimeText {
    static func ago(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        if seconds < 0 { return "in " + span(-seconds) }
        if seconds < 5 { return "just now" }
        return span(seconds) + " ago"
    }

    /// 45 s, 12 min, 3 h, 2 d: the largest unit that fits.
    static func span(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) d"
        }
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// "2026-11-23 14:05 UTC", what the page shows before the script localizes it.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }

    /// A check's value with its unit: "91.2 %", "3.5 s".
    static func value(_ value: Double?, unit: String?) -> String {
        guard let value else { return "" }
        let rounded = abs(value) >= 100 ? String(value.clampedInt) : String((value * 10).rounded() / 10)
        let text = rounded.hasSuffix(".0") ? String(rounded.dropLast(2)) : rounded
        guard let unit, !unit.isEmpty else { return text }
        return text + " " + unit
    }
}
