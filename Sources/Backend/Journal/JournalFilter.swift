import Foundation
import Shared

/// A journal search as a URL's query gives it, read one way for the API and the page: text
/// filters, a priority (0–7 or a syslog name such as `err`), a time range, a page size and a page
/// position. Each bad parameter is a problem naming it; the API answers the first, the page
/// shows them all.
struct JournalFilter: Sendable {
    struct Problem: Sendable, Equatable {
        var field: String
        var message: String
    }

    var query: JournalQuery
    var problems: [Problem]
    /// Minutes east of UTC of times written without a zone, as the page's inputs send them (`tz`).
    var offsetMinutes: Int

    init(_ parameter: (String) -> String?) {
        var problems: [Problem] = []
        func text(_ key: String, maxLength: Int = 256) -> String? {
            guard let raw = parameter(key), !raw.isEmpty else { return nil }
            guard raw.utf8.count <= maxLength else {
                problems.append(Problem(field: key, message: "is longer than \(maxLength) bytes"))
                return nil
            }
            guard !raw.utf8.contains(0) else {
                problems.append(Problem(field: key, message: "must not contain NUL"))
                return nil
            }
            return raw
        }
        let offsetMinutes = Int(parameter("tz") ?? "").flatMap { abs($0) <= 16 * 60 ? $0 : nil } ?? 0
        func time(_ key: String) -> Date? {
            guard let raw = text(key, maxLength: 64) else { return nil }
            guard let date = Self.time(raw, offsetMinutes: offsetMinutes) else {
                problems.append(Problem(field: key, message: "'\(raw.prefix(40))' is not a date and time: give Unix seconds, ISO 8601 or YYYY-MM-DDTHH:MM"))
                return nil
            }
            return date
        }
        func position(_ key: String, _ token: String) -> JournalPosition? {
            guard let position = JournalPosition(token: token) else {
                problems.append(Problem(field: key, message: "is not a page token from a previous answer"))
                return nil
            }
            return position
        }

        var query = JournalQuery()
        query.host = text("host")
        query.unit = text("unit")
        query.container = text("container")
        query.identifier = text("identifier")
        query.text = text("q", maxLength: 1000)
        if let raw = text("priority") {
            if let priority = Int(raw) ?? JournalQuery.priorityNames.firstIndex(of: raw.lowercased()), (0...7).contains(priority) {
                query.maxPriority = priority
            } else {
                problems.append(Problem(field: "priority", message: "must be 0 to 7 or a name: \(JournalQuery.priorityNames.joined(separator: ", "))"))
            }
        }
        query.from = time("from")
        query.to = time("to")
        if let from = query.from, let to = query.to, from > to { problems.append(Problem(field: "from", message: "must not be after 'to'")) }
        if let raw = text("limit") {
            if let limit = Int(raw), (1...JournalQuery.maxLimit).contains(limit) {
                query.limit = limit
            } else {
                problems.append(Problem(field: "limit", message: "must be a whole number from 1 to \(JournalQuery.maxLimit)"))
            }
        }
        switch (text("before"), text("after")) {
        case (_?, _?): problems.append(Problem(field: "after", message: "give before or after, not both"))
        case (let token?, nil): query.page = position("before", token).map { .before($0) }
        case (nil, let token?): query.page = position("after", token).map { .after($0) }
        case (nil, nil): break
        }
        self.query = query
        self.problems = problems
        self.offsetMinutes = offsetMinutes
    }

    /// Unix seconds, ISO 8601 with a zone, or `YYYY-MM-DDTHH:MM[:SS]` at `offsetMinutes` east of UTC.
    static func time(_ raw: String, offsetMinutes: Int) -> Date? {
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds < 1e11 { return Date(timeIntervalSince1970: seconds) }
        if let date = Report.parseTime(raw) { return date }
        let parts = raw.split(whereSeparator: { "-T: ".contains($0) }).map { Int($0) }
        guard parts.count == 5 || parts.count == 6, parts.allSatisfy({ $0 != nil }) else { return nil }
        guard let zone = TimeZone(secondsFromGMT: offsetMinutes * 60) else { return nil }
        let components = DateComponents(timeZone: zone, year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
                                        second: parts.count == 6 ? parts[5] : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: components), components.isValidDate(in: calendar) else { return nil }
        return date
    }
}
