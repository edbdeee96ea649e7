import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Testing
import TestSupport
@testable import Backend

/// Loki's protobuf push, with the golden bodies that `Tests/Fixtures/loki/make-bodies.sh` made by
/// `protoc --encode` and python-snappy, through the whole app into the journal.
@Suite struct LokiProtobufTests {
    typealias H = IngestHTTPTests

    static func body(_ name: String) throws -> [UInt8] { try LokiFixtures.body(name) }

    /// The golden bodies are from 2026-12-01: a retention of ten years keeps them in the window.
    static func withHarness(_ body: @escaping @Sendable (IngestHTTPTests.Harness) async throws -> Void) async throws {
        try await H.withHarness({ $0.journalRetention = TimeSpan(seconds: 10 * 365 * 86400) }, body)
    }

    static func headers(_ authorization: String, type: String? = "application/x-protobuf", encoding: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [.authorization: authorization]
        if let type { headers[.contentType] = type }
        if let encoding { headers[.contentEncoding] = encoding }
        return headers
    }

    @Test func promtailsBodyIsStoredWithItsLabelsAsColumnsAndFields() async throws {
        try await Self.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.headers("Bearer \(h.hostToken)"),
                                         body: ByteBuffer(bytes: try Self.body("promtail.snappy"))) { response in
                    #expect(response.status == .noContent, "\(String(buffer: response.body))")
                }
            }
            let entries = try await h.journal.entries(JournalQuery(limit: 100)).sorted { $0.realtimeUsec < $1.realtimeUsec }
            #expect(entries.map(\.realtimeUsec) == [1_796_083_200_123_456, 1_796_083_201_000_000, 1_796_083_202_000_000])
            #expect(entries.allSatisfy { $0.host == "web-1" && $0.transport == "loki" })
            let nginx = try #require(entries.first)
            #expect(nginx.identifier == "nginx")
            #expect(nginx.priority == 3)
            #expect(nginx.message.hasSuffix("while reading response header from upstream"))
            #expect(nginx.fields?["filename"] == .string("/var/log/nginx/error.log"))
            // Go's escapes in the label text: \\, \t, \" and \u00e9.
            #expect(entries[2].fields?["path"] == .string("C:\\temp\t\"q\" é"))
            #expect(entries[2].message == "ünïcödé ✓ line")
        }
    }

    @Test func alloysBodyKeepsStructuredMetadataAndSkipsUnknownFields() async throws {
        try await Self.withHarness { h in
            try await h.app.test(.router) { client in
                // No Content-Type at all is protobuf too, as Loki's push handler reads it.
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.headers("Bearer \(h.hostToken)", type: nil),
                                         body: ByteBuffer(bytes: try Self.body("alloy.snappy"))) { response in
                    #expect(response.status == .noContent, "\(String(buffer: response.body))")
                }
            }
            let entry = try #require(try await h.journal.entries(JournalQuery(limit: 100)).first)
            #expect(entry.realtimeUsec == 1_796_083_203_999_999)
            #expect(entry.unit == "checkout")
            #expect(entry.priority == 4)
            #expect(entry.fields == ["trace_id": .string("4bf92f3577b34da6a3ce929d0e0e4736"), "pod": .string("checkout-7d9f")])
        }
    }

    /// Content-Encoding is unwrapped first, whatever the Content-Type, as Loki does: gzip, deflate
    /// (raw, as Go writes it, or with zlib's wrapper) and snappy (which is the body's own).
    @Test func everyContentEncodingLokiTakesIsUnwrappedAndAResendStoresNothingTwice() async throws {
        try await Self.withHarness { h in
            let snappy = try Self.body("promtail.snappy")
            let gzipped = try await Gzip.run(Data(snappy))
            let raw = try await Self.deflate(snappy, wrapped: false)
            let wrapped = try await Self.deflate(snappy, wrapped: true)
            try await h.app.test(.router) { client in
                for (encoding, body) in [("snappy", snappy), ("gzip", gzipped), ("deflate", raw), ("deflate", wrapped)] {
                    try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.headers("Bearer \(h.hostToken)", type: "application/x-protobuf", encoding: encoding),
                                             body: ByteBuffer(bytes: body)) { response in
                        #expect(response.status == .noContent, "\(encoding): \(String(buffer: response.body))")
                    }
                }
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.headers("Bearer \(h.hostToken)", encoding: "zstd"),
                                         body: ByteBuffer(bytes: snappy)) { response in
                    #expect(response.status == .unsupportedMediaType)
                    #expect(H.error(response).field == "Content-Encoding")
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 3)
        }
    }

    /// Deflate by the real zlib, through Debian's python.
    static func deflate(_ bytes: [UInt8], wrapped: Bool) async throws -> [UInt8] {
        let script = "import sys, zlib; c = zlib.compressobj(wbits=\(wrapped ? 15 : -15)); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())"
        return try await onOwnThread {
            let (status, output, _) = try runCapturing("/usr/bin/python3", ["-c", script], input: Data(bytes))
            guard status == 0 else { throw TestSetupError("python3 zlib failed") }
            return [UInt8](output)
        }
    }
}
