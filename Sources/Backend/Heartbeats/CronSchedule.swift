import Foundation

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`) in an IANA time
/// zone. Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists, and the names
/// `jan`–`dec` and `sun`–`sat`; `@hourly`, `@daily`, `@weekly`, `@monthly` and `@yearly` too. As in
/// cron, when both day fields are restricted a day matching either one runs. Times are local:
/// across DST a local time the clock skips does not happen that day, and one it repeats happens
/// once, at its first occurrence.
struct CronSchedule: Sendable, Equatable {
    let expression: String
    let timeZone: TimeZone
    private let minutes: [Int]
    private let hours: [Int]
    private let days: Set<Int>
    private let months: Set<Int>
    private let weekdays: Set<Int>
    private let daysRestricted: Bool
    private let weekdaysRestricted: Bool

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ expression: String, timeZone: String = "UTC") throws {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw ParseError(description: "'\(timeZone.prefix(60))' is not an IANA time zone such as Europe/Berlin")
        }
        let aliases = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                       "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
        let trimmed = expression.trimmingCharacters(in: .whitespaces).lowercased()
        let fields = (aliases[trimmed] ?? trimmed).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "'\(expression.prefix(60))' needs 5 fields: minute hour day-of-month month day-of-week")
        }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        self.expression = expression
        self.timeZone = zone
        minutes = try Self.field(fields[0], "minute", 0...59).sorted()
        hours = try Self.field(fields[1], "hour", 0...23).sorted()
        days = try Self.field(fields[2], "day of month", 1...31)
        months = try Self.field(fields[3], "month", 1...12, names: monthNames, firstName: 1)
        // 7 is Sunday too.
        weekdays = Set(try Self.field(fields[4], "day of week", 0...7, names: dayNames, firstName: 0).map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    private static func field(_ text: String, _ what: String, _ range: ClosedRange<Int>, names: [String] = [], firstName: Int = 0) throws -> Set<Int> {
        func number(_ part: Substring) throws -> Int {
            if let index = names.firstIndex(of: String(part)) { return index + firstName }
            guard let value = Int(part), range.contains(value) else {
                throw ParseError(description: "'\(part.prefix(20))' is not a \(what) (\(range.lowerBound)–\(range.upperBound))")
            }
            return value
        }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else { throw ParseError(description: "'\(item.prefix(20))' is not a \(what)") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0, parsed <= range.upperBound + 1 else {
                    throw ParseError(description: "'\(pieces[1].prefix(20))' is not a step for the \(what)")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try number(base[..<dash]), high = try number(base[base.index(after: dash)...])
                guard low <= high else { throw ParseError(description: "'\(base)' runs backwards") }
                bounds = low...high
            } else {
                let single = try number(base)
                bounds = single...(pieces.count == 2 ? range.upperBound : single)
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// The first time after `date` the schedule fires; nil if none within 5 years (`0 0 31 2 *`),
    /// or none up to `limit` when given (a caller that only asks about a short span).
    func next(after date: Date, notAfter limit: Date? = nil) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: date)
        for _ in 0..<(366 * 5) {
            if let limit, day > limit { return nil }
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let year = parts.year, let month = parts.month, let dom = parts.day, let weekday = parts.weekday, runs(month: month, day: dom, weekday: weekday - 1) {
                for hour in hours {
                    for minute in minutes {
                        let wanted = DateComponents(year: year, month: month, day: dom, hour: hour, minute: minute)
                        guard let candidate = calendar.date(from: wanted), candidate > date else { continue }
                        // A local time the clock skipped comes back shifted: it does not happen that day.
                        let actual = calendar.dateComponents([.day, .hour, .minute], from: candidate)
                        guard actual.day == dom, actual.hour == hour, actual.minute == minute else { continue }
                        if let limit, candidate > limit { return nil }
                        return candidate
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = calendar.startOfDay(for: following)
        }
        return nil
    }

    private func runs(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }
}
