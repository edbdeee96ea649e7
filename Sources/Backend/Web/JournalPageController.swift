import Foundation
import Hummingbird
import Shared

/// `/journal`: the journal browser. Filters and the page position live in the URL; times typed
/// in the browser's zone arrive with its offset (`tz`), links carry Unix seconds.
struct JournalPageController: Sendable {
    let pages: WebPages
    static let pageSizes = [50, 100, 200, 500]

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("journal", use: browse)
    }

    struct Filters {
        var host = "", unit = "", container = "", identifier = "", text = "", priority = ""
        var from: Date?
        var to: Date?
        var limit = 100

        /// The query string of these filters, for links and for the live tail's API calls.
        func pairs(withTimes: Bool) -> [(String, String?)] {
            var pairs: [(String, String?)] = [("host", host), ("unit", unit), ("container", container), ("identifier", identifier),
                                               ("priority", priority), ("q", text)]
            if withTimes {
                pairs += [("from", from.map { String(Int($0.timeIntervalSince1970)) }), ("to", to.map { String(Int($0.timeIntervalSince1970)) })]
            }
            return pairs + [("limit", limit == 100 ? nil : String(limit))]
        }
    }

    @Sendable func browse(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try await pages.requireSession(request)
        let parameters = request.uri.queryParameters
        let now = Date()
        var filters = Filters()
        var problems: [String] = []
        func text(_ key: String, _ maxLength: Int = 256) -> String {
            guard let raw = parameters.get(key), !raw.isEmpty else { return "" }
            guard raw.utf8.count <= maxLength, !raw.utf8.contains(0) else { problems.append("\(key) is too long or contains NUL"); return "" }
            return raw
        }
        filters.host = text("host")
        filters.unit = text("unit")
        filters.container = text("container")
        filters.identifier = text("identifier")
        filters.text = text("q", 1000)
        filters.priority = text("priority", 8)
        let offset = Int(parameters.get("tz") ?? "").flatMap { abs($0) <= 16 * 60 ? $0 : nil } ?? 0
        for key in ["from", "to"] {
            let raw = text(key, 64)
            guard !raw.isEmpty else { continue }
            guard let date = Self.time(raw, offsetMinutes: offset) else {
                problems.append("\(key) '\(raw)' is not a date and time")
                continue
            }
            if key == "from" { filters.from = date } else { filters.to = date }
        }
        if parameters.get("from") == nil && parameters.get("to") == nil { filters.from = now.addingTimeInterval(-3600) }
        if let limit = parameters.get("limit").flatMap({ Int($0) }), Self.pageSizes.contains(limit) { filters.limit = limit }

        var query = JournalQuery()
        query.host = filters.host.isEmpty ? nil : filters.host
        query.unit = filters.unit.isEmpty ? nil : filters.unit
        query.container = filters.container.isEmpty ? nil : filters.container
        query.identifier = filters.identifier.isEmpty ? nil : filters.identifier
        query.text = filters.text.isEmpty ? nil : filters.text
        if !filters.priority.isEmpty {
            if let level = Int(filters.priority), (0...7).contains(level) { query.maxPriority = level } else { problems.append("priority must be 0 to 7") }
        }
        query.from = filters.from
        query.to = filters.to
        if let from = query.from, let to = query.to, from > to { problems.append("from is after to") }
        query.limit = filters.limit
        if let token = parameters.get("before") {
            if let position = JournalPosition(token: token) { query.page = .before(position) } else { problems.append("before is not a page token") }
        } else if let token = parameters.get("after") {
            if let position = JournalPosition(token: token) { query.page = .after(position) } else { problems.append("after is not a page token") }
        }

        var entries: [JournalRecord] = []
        if problems.isEmpty {
            entries = try await withStorage(context.logger) { [query] in try await pages.journal.entries(query) }
        }
        let page = JournalPage(entries: entries, query: query)
        let base = "/journal?" + URLText.queryString(filters.pairs(withTimes: true))
        var model: [String: Any] = [
            "filters": [
                "host": filters.host, "unit": filters.unit, "container": filters.container, "identifier": filters.identifier,
                "q": filters.text, "fromISO": filters.from.map(TimeText.iso) ?? "", "toISO": filters.to.map(TimeText.iso) ?? "",
                "fromValue": filters.from.map { Self.localInput($0, offsetMinutes: offset) } ?? "",
                "toValue": filters.to.map { Self.localInput($0, offsetMinutes: offset) } ?? "", "tz": offset,
            ] as [String: Any],
            "priorities": [["value": "", "label": "any", "selected": filters.priority.isEmpty] as [String: Any]]
                + JournalQuery.priorityNames.enumerated().map { index, name in
                    ["value": String(index), "label": "\(index) \(name)\(index < 7 ? " or worse" : "")", "selected": filters.priority == String(index)]
                },
            "pageSizes": Self.pageSizes.map { ["value": $0, "selected": $0 == filters.limit] as [String: Any] },
            "entries": entries.map { Self.row($0) }, "empty": entries.isEmpty && problems.isEmpty,
            "apiQuery": URLText.queryString(filters.pairs(withTimes: false).filter { $0.0 != "limit" }),
            "newest": page.newer ?? "", "live": query.page == nil && filters.to == nil,
        ]
        if !problems.isEmpty { model["problems"] = problems }
        if let older = page.older { model["olderURL"] = base + "&before=" + URLText.query(older) }
        if query.page != nil, let newer = page.newer { model["newerURL"] = base + "&after=" + URLText.query(newer) }
        if query.page != nil { model["newestURL"] = base }
        return pages.render("journal", request: request, session: session, title: "Journal", nav: "journal", model,
                            status: problems.isEmpty ? .ok : .badRequest)
    }

    static func row(_ entry: JournalRecord) -> [String: Any] {
        let priority = entry.priority ?? 6
        var fields: [[String: String]] = [
            ["name": "cursor", "value": entry.cursor], ["name": "boot", "value": entry.bootId], ["name": "seqnum", "value": String(entry.seqnum)],
        ]
        for (name, value) in [("unit", entry.unit), ("identifier", entry.identifier), ("container", entry.containerName),
                              ("container id", entry.containerId), ("pid", entry.pid.map(String.init)), ("transport", entry.transport)] {
            if let value { fields.append(["name": name, "value": value]) }
        }
        for (name, value) in (entry.fields ?? [:]).sorted(by: { $0.key < $1.key }) {
            fields.append(["name": name, "value": value.displayText])
        }
        var message = entry.message
        if let base64 = entry.messageBase64, let bytes = Data(base64Encoded: base64) {
            message = EscapedText.bytes(Array(bytes))
        }
        return [
            "id": entry.id, "atISO": TimeText.iso(entry.at), "atUTC": TimeText.utc(entry.at), "host": entry.host,
            "hostURL": URLText.hostPage(entry.host), "source": entry.unit ?? entry.containerName ?? entry.identifier ?? "",
            "priority": priority, "priorityName": JournalQuery.priorityNames[min(7, max(0, priority))],
            "message": message, "binary": entry.messageBase64 != nil, "fields": fields,
        ]
    }

    /// Unix seconds, ISO 8601 with a zone, or the browser's `YYYY-MM-DDTHH:MM[:SS]` at `offsetMinutes` east of UTC.
    static func time(_ raw: String, offsetMinutes: Int) -> Date? {
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds < 1e11 { return Date(timeIntervalSince1970: seconds) }
        if let date = Report.parseTime(raw) { return date }
        let parts = raw.split(whereSeparator: { "-T: ".contains($0) }).map { Int($0) }
        guard parts.count == 5 || parts.count == 6, parts.allSatisfy({ $0 != nil }) else { return nil }
        var components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
                                        second: parts.count == 6 ? parts[5] : 0)
        components.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = components.timeZone!
        guard let date = calendar.date(from: components), components.isValidDate(in: calendar) else { return nil }
        return date
    }

    /// A `datetime-local` input's value at the given offset.
    static func localInput(_ date: Date, offsetMinutes: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute))"
    }
}

/// Bytes shown as text: the journal's own rule (valid UTF-8 as it is, other bytes as `\xNN`), and
/// control characters but tab and newline as `\xNN` too, so nothing invisible reaches the page.
enum EscapedText {
    static func bytes(_ bytes: [UInt8]) -> String {
        var out = ""
        for scalar in JournalMessage.display(bytes).text.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F {
                out += "\\x" + Hex.lowercase([UInt8(scalar.value)])
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension JSONValue {
    /// A field's value as one line of text.
    var displayText: String {
        switch self {
        case .string(let text): return text
        default:
            let data = (try? JSONEncoder().encode(self)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
