import Foundation
import NIOCore
import Shared

/// What the backend made of a journal batch: the rows to store, and the lines it could not take.
/// A bad line never fails the batch, because a sender that got a 4xx would resend the same
/// batch forever; it is counted and described instead.
struct JournalBatch: Sendable {
    var rows = JournalRows()
    var lines = 0
    /// Lines older than retention: their partitions may be gone, and they would expire at once.
    var expired = 0
    var rejected: [LineError] = []
    var rejectedCount = 0

    struct LineError: Encodable, Sendable, Equatable {
        var line: Int
        var field: String?
        var error: String
    }

    /// Details of the first few bad lines are kept; the rest are only counted.
    static let maxErrors = 10

    mutating func reject(line: Int, field: String?, _ message: String) {
        rejectedCount += 1
        if rejected.count < Self.maxErrors { rejected.append(LineError(line: line, field: field, error: message)) }
    }
}

/// Limits and the time window every journal line must fall in.
struct JournalLimits: Sendable {
    var maxEntries = 10_000
    var maxFieldLength = 256
    var maxExtraFields = 64
    var retention: TimeSpan = TimeSpan(seconds: 7 * 86400)

    /// Entries may be up to a day in the future (clock skew); partitions exist that far ahead.
    func window(now: Date) -> (oldest: Int64, newest: Int64) {
        (now.addingTimeInterval(-Double(retention.seconds)).microseconds, now.addingTimeInterval(86400).microseconds)
    }
}

/// `POST /api/v1/journal`: NDJSON, one `JournalEntry` object per line (docs/protocol.md).
enum JournalBatchReader {
    static func read(_ body: ByteBuffer, host: String, limits: JournalLimits, now: Date) -> JournalBatch {
        var batch = JournalBatch()
        let window = limits.window(now: now)
        body.withUnsafeReadableBytes { bytes in
            var start = 0
            var lineNumber = 0
            batch.rows.reserve(min(limits.maxEntries, bytes.count / 64 + 1))
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                batch.lines += 1
                guard batch.lines <= limits.maxEntries else {
                    batch.reject(line: lineNumber, field: nil, "more than \(limits.maxEntries) entries in one batch; send smaller batches")
                    continue
                }
                do {
                    let value = try JSONParser.parse(line)
                    guard case .object(let object) = value else { throw LineFailure(field: nil, message: "is not a JSON object") }
                    let row = try entry(object, host: host, limits: limits)
                    guard row.realtimeUsec >= window.oldest else { batch.expired += 1; continue }
                    guard row.realtimeUsec <= window.newest else { throw LineFailure(field: "realtimeUsec", message: "is more than a day in the future") }
                    batch.rows.append(row)
                } catch let failure as JSONParser.Failure {
                    batch.reject(line: lineNumber, field: nil, "not valid JSON: \(failure.message) at byte \(failure.offset)")
                } catch let failure as LineFailure {
                    batch.reject(line: lineNumber, field: failure.field, failure.message)
                } catch {
                    batch.reject(line: lineNumber, field: nil, "\(error)")
                }
            }
        }
        return batch
    }

    struct LineFailure: Error {
        var field: String?
        var message: String
    }

    private static func entry(_ object: [String: JSONValue], host: String, limits: JournalLimits) throws -> JournalRow {
        let fields = LineFields(object: object, maxLength: limits.maxFieldLength)
        guard let realtime = try fields.integer("realtimeUsec") else { throw LineFailure(field: "realtimeUsec", message: "is missing") }
        guard realtime > 0 else { throw LineFailure(field: "realtimeUsec", message: "must be microseconds since the epoch") }
        guard let cursorText = try fields.text("cursor", maxLength: 512) else { throw LineFailure(field: "cursor", message: "is missing") }
        guard let cursor = JournalCursor(cursorText) else {
            throw LineFailure(field: "cursor", message: "is not a journal cursor (s=…;i=…;b=…;m=…;t=…;x=…)")
        }
        var row = JournalRow(host: host, realtimeUsec: Int64(realtime), bootId: cursor.bootId, seqnum: cursor.seqnum, cursor: cursorText, message: "")
        row.unit = try fields.text("unit")
        row.identifier = try fields.text("identifier")
        row.containerName = try fields.text("containerName")
        row.containerId = try fields.text("containerId")
        row.transport = try fields.text("transport")
        row.pid = try fields.integer("pid")
        if let priority = try fields.integer("priority") {
            guard (0...7).contains(priority) else { throw LineFailure(field: "priority", message: "must be 0 (emerg) to 7 (debug)") }
            row.priority = priority
        }
        let message = try fields.text("message", maxLength: Int.max, keepNUL: true) ?? ""
        row.message = message.withoutNUL
        if let base64 = try fields.text("messageBase64", maxLength: Int.max) {
            guard Data(base64Encoded: base64) != nil else { throw LineFailure(field: "messageBase64", message: "is not base64") }
            row.messageBase64 = base64
        } else if row.message != message {
            row.messageBase64 = Data(message.utf8).base64EncodedString()
        }
        var extra = try fields.extraFields(limit: limits.maxExtraFields)
        if let hostname = try fields.text("host"), hostname != host { extra["_HOSTNAME"] = hostname }
        row.fields = extra.isEmpty ? nil : DetailsJSON.encode(extra.mapValues { .string($0) })
        return row
    }

    /// Typed access to one line's members; a wrong type names the field.
    private struct LineFields {
        var object: [String: JSONValue]
        var maxLength: Int

        func text(_ key: String, maxLength: Int? = nil, keepNUL: Bool = false) throws -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?:
                guard text.utf8.count <= (maxLength ?? self.maxLength) else {
                    throw LineFailure(field: key, message: "is longer than \(maxLength ?? self.maxLength) bytes")
                }
                return text.isEmpty ? nil : keepNUL ? text : text.withoutNUL
            default: throw LineFailure(field: key, message: "must be a string")
            }
        }

        func integer(_ key: String) throws -> Int? {
            switch object[key] {
            case nil, .null?: return nil
            case .number(let number)?:
                guard let whole = Int(exactly: number) else { throw LineFailure(field: key, message: "must be a whole number") }
                return whole
            default: throw LineFailure(field: key, message: "must be a number")
            }
        }

        func extraFields(limit: Int) throws -> [String: String] {
            switch object["fields"] {
            case nil, .null?: return [:]
            case .object(let members)?:
                guard members.count <= limit else { throw LineFailure(field: "fields", message: "has more than \(limit) fields") }
                var result: [String: String] = [:]
                for (name, value) in members {
                    guard name.utf8.count <= 64 else { throw LineFailure(field: "fields", message: "a field name is longer than 64 bytes") }
                    guard case .string(let text) = value else { throw LineFailure(field: "fields.\(name.prefix(64))", message: "must be a string") }
                    guard text.utf8.count <= 4096 else { throw LineFailure(field: "fields.\(name.prefix(64))", message: "is longer than 4096 bytes") }
                    result[name.withoutNUL] = text.withoutNUL
                }
                return result
            default: throw LineFailure(field: "fields", message: "must be an object of strings")
            }
        }
    }
}
