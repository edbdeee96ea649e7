import Foundation
import Shared

/// A search of the journal: filters, a time range and a page, newest first.
struct JournalQuery: Sendable, Equatable {
    var host: String?
    var unit: String?
    var container: String?
    var identifier: String?
    /// This priority or more severe (a lower number).
    var maxPriority: Int?
    /// Case-insensitive substring of the message.
    var text: String?
    var from: Date?
    var to: Date?
    var limit = 100
    var page: Page?

    enum Page: Sendable, Equatable {
        /// Older than this position (the "older" link).
        case before(JournalPosition)
        /// Newer than this position (the "newer" link, and live tail).
        case after(JournalPosition)
    }

    static let maxLimit = 1000
    /// syslog's priority names, by number.
    static let priorityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
}

/// Where an entry sits in newest-first order: its time, then its id. A page token is its text,
/// `TIME-ID` in microseconds, so pages never need OFFSET.
struct JournalPosition: Sendable, Equatable {
    var realtimeUsec: Int64
    var id: Int64

    init(realtimeUsec: Int64, id: Int64) {
        self.realtimeUsec = realtimeUsec
        self.id = id
    }

    init?(token: String) {
        let parts = token.split(separator: "-")
        guard parts.count == 2, let time = Int64(parts[0]), let id = Int64(parts[1]), time >= 0, id >= 0 else { return nil }
        (realtimeUsec, self.id) = (time, id)
    }

    var token: String { "\(realtimeUsec)-\(id)" }
}

/// One stored journal entry as the API returns it.
struct JournalRecord: Codable, Sendable, Equatable {
    var id: Int64
    var host: String
    var at: Date
    var realtimeUsec: Int64
    var bootId: String
    var seqnum: Int64
    var cursor: String
    var unit: String?
    var identifier: String?
    var containerName: String?
    var containerId: String?
    var pid: Int?
    var priority: Int?
    var transport: String?
    var message: String
    var messageBase64: String?
    var fields: [String: JSONValue]?

    var position: JournalPosition { JournalPosition(realtimeUsec: realtimeUsec, id: id) }
}

/// A page of results with the tokens for the pages around it.
struct JournalPage: Encodable, Sendable {
    var entries: [JournalRecord]
    /// Pass as `before=` for older entries; absent when this page reached the oldest.
    var older: String?
    /// Pass as `after=` for newer entries (and to tail).
    var newer: String?

    init(entries: [JournalRecord], query: JournalQuery) {
        self.entries = entries
        let full = entries.count >= query.limit
        if case .after? = query.page { older = entries.last?.position.token } else { older = full ? entries.last?.position.token : nil }
        newer = entries.first?.position.token ?? {
            if case .after(let position)? = query.page { return position.token }
            return nil
        }()
    }
}

/// The SQL `LIKE` pattern for a substring, with the pattern's own characters escaped by `\`.
enum LikePattern {
    static func contains(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}
