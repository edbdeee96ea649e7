import Foundation
import NIOCore
import Shared

/// `POST /loki/api/v1/push` in Loki's JSON form, as Vector sends it with compression gzip or none:
/// `{"streams": [{"stream": {labels}, "values": [["<unix ns>", "<line>", {metadata}?], ...]}]}`.
/// How labels become columns is `LokiStream`'s; the protobuf form is `LokiProtobufReader`'s.
enum LokiPushReader {
    enum Failure: Error { case notAnObject, streamsMissing }

    /// `tokenHost`: the host a host-scoped token may send for; the default host too.
    static func read(_ body: ByteBuffer, tokenHost: String?, limits: JournalLimits, now: Date) throws(Failure) -> JournalBatch {
        guard case .object(let object)? = try? ReportReader.parse(body) else { throw .notAnObject }
        guard case .array(let streams)? = object["streams"] else { throw .streamsMissing }
        var batch = JournalBatch()
        let window = limits.window(now: now)
        for (streamIndex, stream) in streams.enumerated() {
            guard case .object(let fields) = stream, case .object(let labelValues)? = fields["stream"], case .array(let values)? = fields["values"] else {
                batch.lines += 1
                batch.reject(line: streamIndex, field: "streams[\(streamIndex)]", "must be {\"stream\": {labels}, \"values\": [[\"<ns>\", \"<line>\"], ...]}")
                continue
            }
            let labelsField = "streams[\(streamIndex)].stream"
            let context: Result<LokiStream, JournalBatchReader.LineFailure>
            if labelValues.count > limits.maxExtraFields {
                context = .failure(.init(field: labelsField, message: "has \(labelValues.count) labels; at most \(limits.maxExtraFields) are allowed"))
            } else {
                var labels: [String: String] = [:]
                for (key, value) in labelValues { if case .string(let text) = value { labels[key] = text } }
                context = Self.stream(labels, tokenHost: tokenHost, limits: limits, field: labelsField)
            }
            for (valueIndex, value) in values.enumerated() {
                add(to: &batch, field: "streams[\(streamIndex)].values[\(valueIndex)]", limits: limits, window: window) { field in
                    guard case .array(let parts) = value, parts.count >= 2, case .string(let nanos) = parts[0], case .string(let line) = parts[1] else {
                        throw JournalBatchReader.LineFailure(field: field, message: "must be [\"<unix nanoseconds>\", \"<line>\"]")
                    }
                    guard let ns = Int64(nanos), ns > 0 else {
                        throw JournalBatchReader.LineFailure(field: field, message: "'\(nanos.prefix(40))' is not a time in nanoseconds since the epoch")
                    }
                    var metadata: [(name: String, value: String)] = []
                    if parts.count > 2, case .object(let pairs) = parts[2] {
                        for (name, value) in pairs.sorted(by: { $0.key < $1.key }) { if case .string(let text) = value { metadata.append((name, text)) } }
                    }
                    return try context.get().entry(nanoseconds: ns, line: line, metadata: metadata, field: field)
                }
            }
        }
        return batch
    }

    /// A stream's labels read once, not per entry, so a push costs in proportion to its size.
    static func stream(_ labels: [String: String], tokenHost: String?, limits: JournalLimits, field: String) -> Result<LokiStream, JournalBatchReader.LineFailure> {
        do { return .success(try LokiStream(labels, tokenHost: tokenHost, limits: limits)) } catch let failure as JournalBatchReader.LineFailure {
            return .failure(failure)
        } catch { return .failure(.init(field: field, message: "\(error)")) }
    }

    /// Adds one entry, or its refusal, to the batch: the entry limit, the retention window and
    /// the future are the same for both forms of push.
    static func add(to batch: inout JournalBatch, field: String, limits: JournalLimits, window: (oldest: Int64, newest: Int64),
                    _ make: (String) throws -> JournalRow) {
        batch.lines += 1
        guard batch.lines <= limits.maxEntries else {
            batch.reject(line: batch.lines, field: field, "more than \(limits.maxEntries) entries in one push; send smaller batches")
            return
        }
        do {
            let row = try make(field)
            guard row.realtimeUsec >= window.oldest else { batch.expired += 1; return }
            guard row.realtimeUsec <= window.newest else {
                throw JournalBatchReader.LineFailure(field: field, message: "is more than a day in the future")
            }
            batch.rows.append(row)
        } catch let failure as JournalBatchReader.LineFailure {
            batch.reject(line: batch.lines, field: failure.field, failure.message)
        } catch {
            batch.reject(line: batch.lines, field: field, "\(error)")
        }
    }

    /// Log levels as syslog priorities: `error` → 3, `warn` → 4, `info` → 6, a digit as it is.
    static func priority(_ level: String) -> Int? {
        if let number = Int(level), (0...7).contains(number) { return number }
        switch level.lowercased() {
        case "emerg", "emergency", "panic": return 0
        case "alert": return 1
        case "crit", "critical", "fatal": return 2
        case "err", "error", "eror": return 3
        case "warn", "warning": return 4
        case "notice": return 5
        case "info", "information": return 6
        case "debug", "trace", "dbug": return 7
        default: return nil
        }
    }
}
