import Foundation
import Hummingbird
import Shared

/// `/journal`: the journal browser. Filters and the page position live in the URL; times typed
/// in the browser's zone arrive with its offset (`tz`), links carry Unix seconds.
struct JournalPageController: Sendable {
    let pages: WebPages
    static let pageSizes = [50, 100, 200, 500]

    func add(to routes: PageRoutes) {
        routes.users.get("journal", use: browse)
    }

    /// The query string of a search, for links and for the live tail's API calls.
    static func pairs(_ query: JournalQuery, withTimes: Bool) -> [(String, String?)] {
        var pairs: [(String, String?)] = [("host", query.host), ("unit", query.unit), ("container", query.container), ("identifier", query.identifier),
                                           ("priority", query.maxPriority.map(String.init)), ("q", query.text)]
        if withTimes {
            pairs += [("from", query.from.map { String(Int($0.timeIntervalSince1970)) }), ("to", query.to.map { String(Int($0.timeIntervalSince1970)) })]
        }
        return pairs + [("limit", query.limit == 100 ? nil : String(query.limit))]
    }

    @Sendable func browse(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let parameters = request.uri.queryParameters
        let filter = JournalFilter { parameters.get($0) }
        var query = filter.query
        // Without a time range the page opens on the last hour.
        if parameters.get("from") == nil && parameters.get("to") == nil { query.from = Date().addingTimeInterval(-3600) }
        let problems = filter.problems.map { "\($0.field) \($0.message)" }
        let offset = filter.offsetMinutes

        var entries: [JournalRecord] = []
        if problems.isEmpty {
            entries = try await pages.journal.entries(query)
        }
        let page = JournalPage(entries: entries, query: query)
        let base = "/journal?" + URLText.queryString(Self.pairs(query, withTimes: true))
        var model: [String: Any] = [
            "filters": [
                "host": query.host ?? "", "unit": query.unit ?? "", "container": query.container ?? "", "identifier": query.identifier ?? "",
                "q": query.text ?? "", "fromISO": query.from.map(TimeText.iso) ?? "", "toISO": query.to.map(TimeText.iso) ?? "",
                "fromValue": query.from.map { Self.localInput($0, offsetMinutes: offset) } ?? "",
                "toValue": query.to.map { Self.localInput($0, offsetMinutes: offset) } ?? "", "tz": offset,
            ] as [String: Any],
            "priorities": [["value": "", "label": "any", "selected": query.maxPriority == nil] as [String: Any]]
                + JournalQuery.priorityNames.enumerated().map { index, name in
                    ["value": String(index), "label": "\(index) \(name)\(index < 7 ? " or worse" : "")", "selected": query.maxPriority == index]
                },
            "pageSizes": Set(Self.pageSizes + [query.limit]).sorted().map { ["value": $0, "selected": $0 == query.limit] as [String: Any] },
            "entries": entries.map { Self.row($0) }, "empty": entries.isEmpty && problems.isEmpty,
            "apiQuery": URLText.queryString(Self.pairs(query, withTimes: false).filter { $0.0 != "limit" }),
            "newest": page.newer ?? "", "live": query.page == nil && query.to == nil,
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

    /// The browser's times, read as the filter reads them.
    static func time(_ raw: String, offsetMinutes: Int) -> Date? {
        JournalFilter.time(raw, offsetMinutes: offsetMinutes)
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
