import Foundation

/// A batch of journal entries flattened into columns, the shape both engines insert in one
/// statement. Every row has an identity (host, boot id, sequence number, time) that makes a
/// resent entry a no-op.
struct JournalRows: Sendable {
    var hosts: [String] = []
    var times: [Int64] = []
    var bootIds: [String] = []
    var seqnums: [Int64] = []
    var cursors: [String] = []
    var units: [String?] = []
    var identifiers: [String?] = []
    var containerNames: [String?] = []
    var containerIds: [String?] = []
    var pids: [Int?] = []
    var priorities: [Int?] = []
    var transports: [String?] = []
    var messages: [String] = []
    /// The exact bytes of a message that was not text, base64.
    var messageBase64: [String?] = []
    /// Allow-listed extra fields, a JSON object as text.
    var fields: [String?] = []

    var count: Int { times.count }

    mutating func reserve(_ capacity: Int) {
        hosts.reserveCapacity(capacity)
        times.reserveCapacity(capacity)
        bootIds.reserveCapacity(capacity)
        seqnums.reserveCapacity(capacity)
        cursors.reserveCapacity(capacity)
        units.reserveCapacity(capacity)
        identifiers.reserveCapacity(capacity)
        containerNames.reserveCapacity(capacity)
        containerIds.reserveCapacity(capacity)
        pids.reserveCapacity(capacity)
        priorities.reserveCapacity(capacity)
        transports.reserveCapacity(capacity)
        messages.reserveCapacity(capacity)
        messageBase64.reserveCapacity(capacity)
        fields.reserveCapacity(capacity)
    }

    mutating func append(_ row: JournalRow) {
        hosts.append(row.host)
        times.append(row.realtimeUsec)
        bootIds.append(row.bootId)
        seqnums.append(row.seqnum)
        cursors.append(row.cursor)
        units.append(row.unit)
        identifiers.append(row.identifier)
        containerNames.append(row.containerName)
        containerIds.append(row.containerId)
        pids.append(row.pid)
        priorities.append(row.priority)
        transports.append(row.transport)
        messages.append(row.message)
        messageBase64.append(row.messageBase64)
        fields.append(row.fields)
    }
}

/// One journal entry as stored. Text is free of NUL bytes, which PostgreSQL's text refuses: a
/// message holding one keeps its exact bytes in `messageBase64`.
struct JournalRow: Sendable, Equatable {
    var host: String
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
    var fields: String?
}

/// What a journal cursor (`s=…;i=…;b=…;m=…;t=…;x=…`) says about its entry.
struct JournalCursor: Equatable {
    var seqnumID: String
    var seqnum: Int64
    var bootId: String
    var realtimeUsec: Int64

    /// Nil when the text is not a journal cursor.
    init?(_ text: String) {
        guard text.utf8.count <= 512 else { return nil }
        var seqnumID: String?, seqnum: Int64?, bootId: String?, realtime: Int64?
        for part in text.split(separator: ";") {
            guard part.count > 2, part.utf8.dropFirst().first == UInt8(ascii: "=") else { continue }
            let value = part.dropFirst(2)
            switch part.first {
            case "s": seqnumID = String(value)
            case "i": seqnum = UInt64(value, radix: 16).map { Int64(bitPattern: $0) }
            case "b": bootId = String(value)
            case "t": realtime = UInt64(value, radix: 16).flatMap { Int64(exactly: $0) }
            default: continue
            }
        }
        guard let seqnumID, let seqnum, let bootId, let realtime,
              Self.isHex(seqnumID), Self.isHex(bootId) else { return nil }
        (self.seqnumID, self.seqnum, self.bootId, self.realtimeUsec) = (seqnumID, seqnum, bootId, realtime)
    }

    private static func isHex(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

extension String {
    /// PostgreSQL text cannot hold U+0000; it is shown as `\x00`, as the sender shows other bytes.
    var withoutNUL: String {
        guard utf8.contains(0) else { return self }
        return replacingOccurrences(of: "\u{0}", with: "\\x00")
    }
}
