import Crypto
import Foundation
import NIOCore
import Shared

/// `POST /loki/api/v1/push` in Loki's JSON form, as Vector sends it with compression gzip or none:
/// `{"streams": [{"stream": {labels}, "values": [["<unix ns>", "<line>", {metadata}?], ...]}]}`.
/// Labels `host` (or `hostname`, `instance`), `unit`, `container`, `identifier` (or `job`) and
/// `level` map to columns; the others are kept as fields. An entry has no journal cursor, so its
/// identity is a digest of its stream, time and line: a resent push stores nothing twice.
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
            // Everything a stream's labels decide is worked out once, not per entry, so a push
            // costs in proportion to its size.
            let context: Result<Stream, JournalBatchReader.LineFailure>
            do { context = .success(try Stream(labelValues, tokenHost: tokenHost, limits: limits, field: "streams[\(streamIndex)].stream")) } catch let failure as JournalBatchReader.LineFailure {
                context = .failure(failure)
            } catch { context = .failure(.init(field: "streams[\(streamIndex)].stream", message: "\(error)")) }
            for (valueIndex, value) in values.enumerated() {
                batch.lines += 1
                let field = "streams[\(streamIndex)].values[\(valueIndex)]"
                guard batch.lines <= limits.maxEntries else {
                    batch.reject(line: batch.lines, field: field, "more than \(limits.maxEntries) entries in one push; send smaller batches")
                    continue
                }
                do {
                    let row = try context.get().entry(value, field: field)
                    guard row.realtimeUsec >= window.oldest else { batch.expired += 1; continue }
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
        }
        return batch
    }

    /// One stream's labels, read and checked once: its columns, extra fields and the prefix of
    /// its entries' identity.
    private struct Stream {
        typealias Failure = JournalBatchReader.LineFailure
        var host: String
        var unit: String?
        var containerName: String?
        var identifier: String?
        var priority: Int?
        var fields: String?
        /// The sorted labels as text: with an entry's time and line it makes the entry's identity.
        var identity: String

        static let known: Set<String> = ["host", "hostname", "instance", "unit", "service_name", "container", "container_name", "identifier", "job", "level", "detected_level", "priority"]

        init(_ labelValues: [String: JSONValue], tokenHost: String?, limits: JournalLimits, field: String) throws {
            guard labelValues.count <= limits.maxExtraFields else {
                throw Failure(field: field, message: "has \(labelValues.count) labels; at most \(limits.maxExtraFields) are allowed")
            }
            var labels: [String: String] = [:]
            for (key, value) in labelValues { if case .string(let text) = value { labels[key] = text } }
            guard let host = labels["host"] ?? labels["hostname"] ?? labels["instance"] ?? tokenHost, !host.isEmpty else {
                throw Failure(field: field, message: "the stream has no host label (host, hostname or instance)")
            }
            if let tokenHost, host != tokenHost { throw Failure(field: "host", message: "this token may only send logs for host '\(tokenHost)'") }
            do { try Names.check(host, field: "host", maxLength: 200) } catch { throw Failure(field: "host", message: error.message) }
            func label(_ keys: String...) throws -> String? {
                guard let key = keys.first(where: { labels[$0] != nil }), let text = labels[key] else { return nil }
                guard text.utf8.count <= limits.maxFieldLength else { throw Failure(field: key, message: "is longer than \(limits.maxFieldLength) bytes") }
                return text.withoutNUL.isEmpty ? nil : text.withoutNUL
            }
            self.host = host
            unit = try label("unit", "service_name")
            containerName = try label("container", "container_name")
            identifier = try label("identifier", "job")
            priority = try label("level", "detected_level", "priority").flatMap(LokiPushReader.priority)
            var extra: [String: String] = [:]
            for (key, text) in labels where !Self.known.contains(key) { extra[key] = String(text.prefix(limits.maxFieldLength)) }
            if !extra.isEmpty, let data = try? JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys]) {
                fields = String(decoding: data, as: UTF8.self)
            }
            // The same text as before streams were read once, so a resend after an upgrade still matches.
            identity = "\(labels.sorted { $0.key < $1.key })"
        }

        func entry(_ value: JSONValue, field: String) throws -> JournalRow {
            guard case .array(let parts) = value, parts.count >= 2, case .string(let nanos) = parts[0], case .string(let line) = parts[1] else {
                throw Failure(field: field, message: "must be [\"<unix nanoseconds>\", \"<line>\"]")
            }
            guard let ns = Int64(nanos), ns > 0 else { throw Failure(field: field, message: "'\(nanos.prefix(40))' is not a time in nanoseconds since the epoch") }
            let message = line.withoutNUL
            let digest = SHA256.hash(data: Data("\(identity)\u{0}\(ns)\u{0}\(line)".utf8))
            let seqnum = digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) } & Int64.max
            var row = JournalRow(
                host: host, realtimeUsec: ns / 1000, bootId: "loki", seqnum: seqnum,
                cursor: "loki;t=\(ns);h=\(digest.prefix(8).map { String(format: "%02x", $0) }.joined())", message: message)
            if message != line { row.messageBase64 = Data(line.utf8).base64EncodedString() }
            row.unit = unit
            row.containerName = containerName
            row.identifier = identifier
            row.transport = "loki"
            row.priority = priority
            row.fields = fields
            return row
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
