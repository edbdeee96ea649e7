import Crypto
import Foundation
import Shared

/// One Loki stream's labels, read and checked once, whichever form the push came in: its
/// columns, extra fields and the prefix of its entries' identity. Labels `host` (or `hostname`,
/// `instance`), `unit`, `container`, `identifier` (or `job`) and `level` map to columns; the
/// others are kept as fields. An entry has no journal cursor, so its identity is a digest of its
/// stream, time and line: a resent push stores nothing twice, JSON or protobuf.
struct LokiStream {
    typealias Failure = JournalBatchReader.LineFailure
    var host: String
    var unit: String?
    var containerName: String?
    var identifier: String?
    var priority: Int?
    var extra: [String: String]
    var fields: String?
    /// The sorted labels as text: with an entry's time and line it makes the entry's identity.
    var identity: String
    let limits: JournalLimits

    static let known: Set<String> = ["host", "hostname", "instance", "unit", "service_name", "container", "container_name", "identifier", "job", "level", "detected_level", "severity", "priority"]

    init(_ labels: [String: String], tokenHost: String?, limits: JournalLimits) throws {
        self.limits = limits
        guard let host = labels["host"] ?? labels["hostname"] ?? labels["instance"] ?? tokenHost, !host.isEmpty else {
            throw Failure(field: "host", message: "the stream has no host label (host, hostname or instance)")
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
        priority = try label("level", "detected_level", "severity", "priority").flatMap(LokiPushReader.priority)
        extra = [:]
        for (key, text) in labels where !Self.known.contains(key) { extra[key] = text.prefix(utf8Bytes: limits.maxFieldLength) }
        fields = Self.json(extra)
        // The same text as before streams were read once, so a resend after an upgrade still matches.
        identity = "\(labels.sorted { $0.key < $1.key })"
    }

    private static func json(_ fields: [String: String]) -> String? {
        guard !fields.isEmpty, let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// One entry as a row. `raw`: the line's bytes when they are not UTF-8, kept whole in base64.
    /// `metadata`: Loki's structured metadata, kept as fields beside the stream's extra labels.
    func entry(nanoseconds ns: Int64, line: String, raw: [UInt8]? = nil, metadata: [(name: String, value: String)] = [], field: String) throws -> JournalRow {
        guard ns > 0 else { throw Failure(field: field, message: "is not a time after the epoch") }
        guard metadata.count <= limits.maxExtraFields else {
            throw Failure(field: field, message: "has \(metadata.count) structured metadata pairs; at most \(limits.maxExtraFields) are allowed")
        }
        if let bad = metadata.first(where: { $0.name.isEmpty || $0.name.utf8.count > limits.maxFieldLength }) {
            throw Failure(field: field, message: "has a structured metadata name '\(bad.name.prefix(40))' not 1 to \(limits.maxFieldLength) bytes")
        }
        let message = line.withoutNUL
        var hashed = Data("\(identity)\u{0}\(ns)\u{0}".utf8)
        if let raw { hashed.append(contentsOf: raw) } else { hashed.append(contentsOf: Data(line.utf8)) }
        let digest = SHA256.hash(data: hashed)
        let seqnum = digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) } & Int64.max
        var row = JournalRow(
            host: host, realtimeUsec: ns / 1000, bootId: "loki", seqnum: seqnum,
            cursor: "loki;t=\(ns);h=\(digest.prefix(8).map { String(format: "%02x", $0) }.joined())", message: message)
        if let raw { row.messageBase64 = Data(raw).base64EncodedString() } else if message != line { row.messageBase64 = Data(line.utf8).base64EncodedString() }
        row.unit = unit
        row.containerName = containerName
        row.identifier = identifier
        row.transport = "loki"
        row.priority = priority
        row.fields = fields
        if !metadata.isEmpty {
            var merged = extra
            for pair in metadata { merged[pair.name] = pair.value.prefix(utf8Bytes: limits.maxFieldLength) }
            row.fields = Self.json(merged)
        }
        return row
    }
}
