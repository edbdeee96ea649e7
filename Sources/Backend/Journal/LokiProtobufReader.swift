import Foundation

/// `POST /loki/api/v1/push` in Loki's protobuf form (`logproto.PushRequest`, after snappy), as
/// Promtail, Alloy and Vector send it:
///
///     PushRequest   { repeated Stream streams = 1; }
///     Stream        { string labels = 1; repeated Entry entries = 2; }
///     Entry         { Timestamp timestamp = 1; string line = 2; repeated LabelPair structuredMetadata = 3; }
///     Timestamp     { int64 seconds = 1; int32 nanos = 2; }
///     LabelPair     { string name = 1; string value = 2; }
///
/// Other fields are skipped. A message that does not parse refuses the whole push, naming where
/// it broke; an entry or stream that parses but is refused (another host, a bad time) is counted
/// and named like in the JSON form, and the rest are stored.
enum LokiProtobufReader {
    struct Failure: Error, Equatable {
        var field: String
        var message: String
    }

    /// The most bytes a stream's label text may have: 64 labels of a name and a 256-byte value each, quoted.
    static let maxLabelText = 64 * 1024

    static func read(_ bytes: [UInt8], tokenHost: String?, limits: JournalLimits, now: Date) throws -> JournalBatch {
        var batch = JournalBatch()
        let window = limits.window(now: now)
        var request = ProtobufReader(bytes)
        var streamIndex = 0
        while let next = try named("streams[\(streamIndex)]", { try request.field() }) {
            let field = "streams[\(streamIndex)]"
            guard next.number == 1, next.type == .lengthDelimited else {
                try named(field) { try request.skip(next.type) }
                continue
            }
            // Every stream worth sending has an entry: more streams than entries allowed is refused.
            guard streamIndex < limits.maxEntries else {
                throw Failure(field: field, message: "is one stream more than the \(limits.maxEntries) a push may have; send smaller batches")
            }
            let range = try named(field) { try request.lengthDelimited() }
            try readStream(request.message(range), field: field, tokenHost: tokenHost, limits: limits, window: window, into: &batch)
            streamIndex += 1
        }
        return batch
    }

    private static func readStream(_ message: ProtobufReader, field: String, tokenHost: String?, limits: JournalLimits,
                                   window: (oldest: Int64, newest: Int64), into batch: inout JournalBatch) throws {
        var reader = message
        // Nil when too long to read: the stream is refused, not the push.
        var labelText: [UInt8]? = []
        // Entries may come before the labels on the wire: their places are kept, read after. Past
        // the entry limit they are only counted: each is refused all the same, and a push of
        // millions of tiny entries costs no work each.
        var entries: [ProtobufReader] = []
        var uncounted = 0
        let room = max(0, limits.maxEntries - batch.lines + 1)
        try named(field) {
            while let next = try reader.field() {
                switch (next.number, next.type) {
                case (1, .lengthDelimited):
                    let range = try reader.lengthDelimited()
                    labelText = range.count <= maxLabelText ? reader.bytes(range) : nil
                case (2, .lengthDelimited):
                    let range = try reader.lengthDelimited()
                    if entries.count < room { entries.append(reader.message(range)) } else { uncounted += 1 }
                default:
                    try reader.skip(next.type)
                }
            }
        }
        let labelsField = "\(field).labels"
        let stream: Result<LokiStream, JournalBatchReader.LineFailure>
        if let labelText {
            do {
                var labels: [String: String] = [:]
                for pair in try LokiLabels.parse(labelText, maxLabels: limits.maxExtraFields, maxLength: limits.maxFieldLength * 4) { labels[pair.name] = pair.value }
                stream = LokiPushReader.stream(labels, tokenHost: tokenHost, limits: limits, field: labelsField)
            } catch {
                stream = .failure(.init(field: labelsField, message: error.message))
            }
        } else {
            stream = .failure(.init(field: labelsField, message: "is longer than \(maxLabelText) bytes"))
        }
        for (index, entry) in entries.enumerated() {
            let entryField = "\(field).entries[\(index)]"
            let decoded = batch.lines < limits.maxEntries ? try readEntry(entry, field: entryField, limits: limits) : nil
            LokiPushReader.add(to: &batch, field: entryField, limits: limits, window: window) { field in
                guard let decoded else { throw JournalBatchReader.LineFailure(field: field, message: "was not read") }
                guard decoded.metadataCount <= limits.maxExtraFields else {
                    throw JournalBatchReader.LineFailure(field: "\(field).structuredMetadata",
                                                         message: "has \(decoded.metadataCount) pairs; at most \(limits.maxExtraFields) are allowed")
                }
                let line = String(validating: decoded.line, as: UTF8.self)
                return try stream.get().entry(nanoseconds: decoded.nanoseconds, line: line ?? String(decoding: decoded.line, as: UTF8.self),
                                              raw: line == nil ? decoded.line : nil, metadata: decoded.metadata, field: field)
            }
        }
        // The first of them was refused with its field named above; these are counted with it.
        batch.lines += uncounted
        batch.rejectedCount += uncounted
    }

    private struct Entry {
        var nanoseconds: Int64 = 0
        var line: [UInt8] = []
        var metadata: [(name: String, value: String)] = []
        /// Pairs past the limit are counted, not kept: the entry is refused for them.
        var metadataCount = 0
    }

    private static func readEntry(_ message: ProtobufReader, field: String, limits: JournalLimits) throws -> Entry {
        var reader = message
        var entry = Entry()
        try named(field) {
            while let next = try reader.field() {
                switch (next.number, next.type) {
                case (1, .lengthDelimited):
                    let range = try reader.lengthDelimited()
                    entry.nanoseconds = try timestamp(reader.message(range), field: "\(field).timestamp")
                case (2, .lengthDelimited):
                    entry.line = try reader.string()
                case (3, .lengthDelimited):
                    let range = try reader.lengthDelimited()
                    entry.metadataCount += 1
                    guard entry.metadataCount <= limits.maxExtraFields else { continue }
                    entry.metadata.append(try pair(reader.message(range), field: "\(field).structuredMetadata[\(entry.metadata.count)]"))
                default:
                    try reader.skip(next.type)
                }
            }
        }
        return entry
    }

    /// `google.protobuf.Timestamp` as nanoseconds since the epoch.
    private static func timestamp(_ message: ProtobufReader, field: String) throws -> Int64 {
        var reader = message
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        try named(field) {
            while let next = try reader.field() {
                switch (next.number, next.type) {
                case (1, .varint): seconds = Int64(bitPattern: try reader.varint())
                case (2, .varint): nanos = Int64(Int32(truncatingIfNeeded: try reader.varint()))
                default: try reader.skip(next.type)
                }
            }
        }
        guard (0..<1_000_000_000).contains(nanos) else { throw Failure(field: field, message: "has nanos \(nanos), not 0 to 999,999,999") }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, past) = scaled.addingReportingOverflow(nanos)
        guard !overflow, !past else { throw Failure(field: field, message: "\(seconds) s is past the times we can store") }
        // Before the epoch: the entry is refused for it, not the push.
        return seconds < 0 ? 0 : total
    }

    private static func pair(_ message: ProtobufReader, field: String) throws -> (name: String, value: String) {
        var reader = message
        var name: [UInt8] = []
        var value: [UInt8] = []
        try named(field) {
            while let next = try reader.field() {
                switch (next.number, next.type) {
                case (1, .lengthDelimited): name = try reader.string()
                case (2, .lengthDelimited): value = try reader.string()
                default: try reader.skip(next.type)
                }
            }
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Runs `read`, naming `field` when the bytes are not protobuf. A failure named deeper down
    /// passes through as it is.
    private static func named<T>(_ field: String, _ read: () throws -> T) throws -> T {
        do { return try read() } catch let error as ProtobufReader.Failure {
            switch error {
            case .truncated: throw Failure(field: field, message: "is cut short: a length runs past the end of its message")
            case .badVarint: throw Failure(field: field, message: "holds a varint longer than 64 bits")
            case .badWireType(let type): throw Failure(field: field, message: "has wire type \(type), which protobuf 3 does not use")
            }
        }
    }
}
