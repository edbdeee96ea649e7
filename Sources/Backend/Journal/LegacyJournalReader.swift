import Foundation
import NIOCore
import Shared

/// `POST /journal`: the original Go sender's `{"logs": "<journalctl -o json lines>"}`. Values
/// are strings, or arrays of byte values for binary fields (`MESSAGE` among them). The host is
/// `?host=`, else the line's `_HOSTNAME`.
enum LegacyJournalReader {
    enum Failure: Error { case notAnObject, logsMissing, logsNotText }

    static func read(_ body: ByteBuffer, host: String?, limits: JournalLimits, now: Date) throws(Failure) -> JournalBatch {
        guard case .object(let object)? = try? ReportReader.parse(body) else { throw .notAnObject }
        guard let logs = object["logs"] else { throw .logsMissing }
        guard case .string(let text) = logs else { throw .logsNotText }
        var batch = JournalBatch()
        let window = limits.window(now: now)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            batch.lines += 1
            guard batch.lines <= limits.maxEntries else {
                batch.reject(line: lineNumber, field: nil, "more than \(limits.maxEntries) entries in one batch; send smaller batches")
                continue
            }
            var bytes = Array(line.utf8)
            let parsed = bytes.withUnsafeMutableBytes { raw in Result { () throws(JSONParser.Failure) in try JSONParser.parse(UnsafeRawBufferPointer(raw)) } }
            guard case .success(.object(let fields)) = parsed else {
                batch.reject(line: lineNumber, field: nil, "not a JSON object as journalctl -o json writes")
                continue
            }
            do {
                let row = try entry(fields, host: host, limits: limits)
                guard row.realtimeUsec >= window.oldest else { batch.expired += 1; continue }
                guard row.realtimeUsec <= window.newest else {
                    throw JournalBatchReader.LineFailure(field: "__REALTIME_TIMESTAMP", message: "is more than a day in the future")
                }
                batch.rows.append(row)
            } catch let failure as JournalBatchReader.LineFailure {
                batch.reject(line: lineNumber, field: failure.field, failure.message)
            } catch {
                batch.reject(line: lineNumber, field: nil, "\(error)")
            }
        }
        return batch
    }

    /// journalctl's names for the columns; other fields are not kept.
    private static func entry(_ fields: [String: JSONValue], host: String?, limits: JournalLimits) throws -> JournalRow {
        typealias Failure = JournalBatchReader.LineFailure
        func text(_ key: String) throws -> String? {
            guard let bytes = try value(fields[key], key: key) else { return nil }
            let decoded = JournalMessage.display(bytes).text.withoutNUL
            guard decoded.utf8.count <= limits.maxFieldLength else { throw Failure(field: key, message: "is longer than \(limits.maxFieldLength) bytes") }
            return decoded.isEmpty ? nil : decoded
        }
        func number(_ key: String) throws -> Int? {
            guard let raw = try text(key) else { return nil }
            guard let number = Int(raw) else { throw Failure(field: key, message: "'\(raw.prefix(40))' is not a whole number") }
            return number
        }
        guard let cursorText = try text("__CURSOR"), let cursor = JournalCursor(cursorText) else {
            throw Failure(field: "__CURSOR", message: "is missing or not a journal cursor")
        }
        guard let realtimeText = try text("__REALTIME_TIMESTAMP"), let realtime = Int64(realtimeText), realtime > 0 else {
            throw Failure(field: "__REALTIME_TIMESTAMP", message: "is missing or not microseconds since the epoch")
        }
        guard let owner = try host ?? text("_HOSTNAME") else { throw Failure(field: "_HOSTNAME", message: "is missing; or pass ?host=") }
        var row = JournalRow(host: owner, realtimeUsec: realtime, bootId: cursor.bootId, seqnum: cursor.seqnum, cursor: cursorText, message: "")
        row.unit = try text("_SYSTEMD_UNIT")
        row.identifier = try text("SYSLOG_IDENTIFIER")
        row.containerName = try text("CONTAINER_NAME")
        row.containerId = try text("CONTAINER_ID")
        row.transport = try text("_TRANSPORT")
        row.pid = try number("_PID")
        if let priority = try number("PRIORITY") {
            guard (0...7).contains(priority) else { throw Failure(field: "PRIORITY", message: "must be 0 to 7") }
            row.priority = priority
        }
        if let bytes = try value(fields["MESSAGE"], key: "MESSAGE") {
            let (display, escaped) = JournalMessage.display(bytes)
            row.message = display.withoutNUL
            if escaped || row.message != display { row.messageBase64 = Data(bytes).base64EncodedString() }
        }
        return row
    }

    /// A field's bytes: a string, or an array of byte values; several values keep the first.
    private static func value(_ value: JSONValue?, key: String) throws -> [UInt8]? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return Array(text.utf8)
        case .array(let items)?:
            if case .string(let first)? = items.first { return Array(first.utf8) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(items.count)
            for item in items {
                guard case .number(let number) = item, let byte = UInt8(exactly: number) else {
                    throw JournalBatchReader.LineFailure(field: key, message: "must be a string or an array of byte values")
                }
                bytes.append(byte)
            }
            return bytes
        default:
            throw JournalBatchReader.LineFailure(field: key, message: "must be a string or an array of byte values")
        }
    }
}
