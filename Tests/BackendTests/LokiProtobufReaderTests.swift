import Foundation
import Shared
import Testing
@testable import Backend

/// Protobuf written by hand, for what protoc will not write: a line that is not UTF-8, entries
/// before their labels, times out of range, too much structured metadata.
@Suite struct LokiProtobufReaderTests {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        while value >= 0x80 { out.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
        return out + [UInt8(value)]
    }

    static func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes }
    static func field(_ number: Int, varint value: UInt64) -> [UInt8] { varint(UInt64(number << 3)) + varint(value) }

    static func entry(seconds: Int64, nanos: Int32 = 0, line: [UInt8], metadata: [(String, String)] = []) -> [UInt8] {
        field(1, field(1, varint: UInt64(bitPattern: seconds)) + field(2, varint: UInt64(bitPattern: Int64(nanos))))
            + field(2, line) + metadata.flatMap { field(3, field(1, Array($0.0.utf8)) + field(2, Array($0.1.utf8))) }
    }

    static func read(_ streams: [[UInt8]]) throws -> JournalBatch {
        let limits = JournalLimits(maxEntries: 100, maxFieldLength: 256, maxExtraFields: 64, retention: TimeSpan(seconds: 10 * 365 * 86400))
        return try LokiProtobufReader.read(streams.flatMap { field(1, $0) }, tokenHost: nil, limits: limits, now: Date(timeIntervalSince1970: 1_796_083_300))
    }

    static let labels = field(1, Array(#"{host="web-1"}"#.utf8))

    @Test func aLineThatIsNotUTF8IsKeptWholeAndEntriesMayComeBeforeTheirLabels() throws {
        let batch = try Self.read([Self.field(2, Self.entry(seconds: 1_796_083_200, line: [0x66, 0xFF, 0x00, 0x67])) + Self.labels])
        #expect(batch.rejectedCount == 0)
        #expect(batch.rows.hosts == ["web-1"])
        #expect(batch.rows.messageBase64 == [Data([0x66, 0xFF, 0x00, 0x67]).base64EncodedString()])
    }

    @Test func timesOutOfRangeAreNamed() {
        for (seconds, nanos) in [(Int64.max / 1_000_000_000, Int32(999_999_999)), (1_796_083_200, -1), (1_796_083_200, 1_000_000_000)] {
            #expect(throws: LokiProtobufReader.Failure.self, "\(seconds) \(nanos)") {
                try Self.read([Self.labels + Self.field(2, Self.entry(seconds: seconds, nanos: nanos, line: [0x61]))])
            }
        }
        // A missing timestamp, or one before the epoch, is an entry refused, not a push.
        let untimed = try? Self.read([Self.labels + Self.field(2, Self.field(2, [0x61])) + Self.field(2, Self.entry(seconds: -5, line: [0x62]))])
        #expect(untimed?.rejected.map(\.field) == ["streams[0].entries[0]", "streams[0].entries[1]"])
    }

    @Test func morePushedStreamsThanEntriesAllowedAreRefused() throws {
        let empty = Array(repeating: Self.labels, count: 101)
        #expect(throws: LokiProtobufReader.Failure(field: "streams[100]", message: "is one stream more than the 100 a push may have; send smaller batches")) {
            try Self.read(empty)
        }
        #expect(try Self.read(Array(empty.dropLast())).rejectedCount == 0)
    }

    @Test func tooMuchStructuredMetadataRefusesItsEntryOnly() throws {
        let many = (0..<65).map { ("k\($0)", "v") }
        let batch = try Self.read([Self.labels + Self.field(2, Self.entry(seconds: 1_796_083_200, line: [0x61], metadata: many))
                                   + Self.field(2, Self.entry(seconds: 1_796_083_201, line: [0x62], metadata: [("", "x")]))
                                   + Self.field(2, Self.entry(seconds: 1_796_083_202, line: [0x63], metadata: [("trace", "t")]))])
        #expect(batch.rejected.map(\.field) == ["streams[0].entries[0].structuredMetadata", "streams[0].entries[1]"])
        #expect(batch.rows.messages == ["c"])
        #expect(batch.rows.fields == [#"{"trace":"t"}"#])
    }

    /// Entries past the limit are refused by count, the first named; across streams too.
    @Test func entriesPastTheLimitAreCountedNotRead() throws {
        let entry = Self.field(2, Self.entry(seconds: 1_796_083_200, line: [0x61]))
        let batch = try Self.read([Self.labels + Array(Array(repeating: entry, count: 90).joined()),
                                   Self.labels + Array(Array(repeating: entry, count: 50).joined())])
        #expect(batch.rows.count == 100)
        #expect(batch.lines == 140 && batch.rejectedCount == 40)
        #expect(batch.rejected.first?.field == "streams[1].entries[10]")
    }
}
