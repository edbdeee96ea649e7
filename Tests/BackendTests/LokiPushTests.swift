import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Testing
@testable import Backend

/// Loki's JSON push into the journal, and the entries back through the search API.
@Suite struct LokiPushTests {
    typealias H = IngestHTTPTests

    static func push(_ token: String, gzip: Bool = false) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if gzip { headers[.contentEncoding] = "gzip" }
        return headers
    }

    static func body(at seconds: Int) -> String {
        let ns = String(Int64(seconds) * 1_000_000_000)
        return """
            {"streams": [
              {"stream": {"host": "web-1", "unit": "nginx.service", "level": "error", "env": "prod"},
               "values": [["\(ns)", "upstream timed out"], ["\(Int64(seconds + 1) * 1_000_000_000)", "upstream back"]]},
              {"stream": {"host": "web-1", "container": "redis"}, "values": [["\(ns)", "ready to accept connections"]]}
            ]}
            """
    }

    @Test func pushedEntriesComeBackFromTheJournalAPIOnce() async throws {
        try await H.withHarness { h in
            let now = Int(Date().timeIntervalSince1970) - 60
            let gzipped = try await Gzip.run(Data(Self.body(at: now).utf8))
            try await h.app.test(.router) { client in
                for _ in 0..<2 {
                    try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.push(h.hostToken, gzip: true), body: ByteBuffer(bytes: gzipped)) { response in
                        #expect(response.status == .noContent)
                    }
                }
                try await client.execute(uri: "/api/v1/journal?host=web-1&unit=nginx.service", method: .get, headers: H.bearer(h.allToken)) { response in
                    #expect(response.status == .ok)
                    let page = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    let entries = page["entries"] as? [[String: Any]] ?? []
                    #expect(entries.compactMap { $0["message"] as? String } == ["upstream back", "upstream timed out"])
                    #expect(entries.first?["priority"] as? Int == 3)
                }
                try await client.execute(uri: "/api/v1/journal?container=redis", method: .get, headers: H.bearer(h.allToken)) { response in
                    let page = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    #expect((page["entries"] as? [[String: Any]])?.count == 1)
                }
            }
            // The resend stored nothing twice.
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 3)
        }
    }

    @Test func badPushesGetClearErrors() async throws {
        try await H.withHarness { h in
            let now = Int(Date().timeIntervalSince1970) - 60
            try await h.app.test(.router) { client in
                // Anything but application/json is protobuf, as Loki reads it: "x" is not snappy.
                var protobuf = Self.push(h.hostToken)
                protobuf[.contentType] = "application/x-protobuf"
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: protobuf, body: ByteBuffer(string: "x")) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "body")
                    #expect(H.error(response).error.contains("snappy"))
                }
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.push(h.hostToken), body: ByteBuffer(string: #"{"nope": 1}"#)) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains(#""field":"streams""#))
                }
                // Another host's stream with a host token, and a bad time: refused and named; the good entry is stored.
                let mixed = """
                    {"streams": [{"stream": {"host": "db-1"}, "values": [["\(Int64(now) * 1_000_000_000)", "not mine"]]},
                                 {"stream": {"host": "web-1"}, "values": [["soon", "x"], ["\(Int64(now) * 1_000_000_000)", "mine"]]}]}
                    """
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.push(h.hostToken), body: ByteBuffer(string: mixed)) { response in
                    #expect(response.status == .badRequest)
                    let answer = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    #expect(answer["field"] as? String == "host")
                    #expect(answer["stored"] as? Int == 1)
                    #expect(answer["rejected"] as? Int == 2)
                }
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.body(at: now))) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).map(\.message) == ["mine"])
        }
    }

    /// 20,000 labels on one stream once kept a core busy for minutes: the labels were sorted and
    /// hashed for every entry. A stream may have at most 64; its labels are read once.
    @Test func aStreamWithTooManyLabelsIsRefusedNamingTheLimit() async throws {
        try await H.withHarness { h in
            let ns = String(Int64(Date().timeIntervalSince1970 - 60) * 1_000_000_000)
            @Sendable func stream(labels: Int, entries: Int) -> String {
                let names = (0..<labels).map { "\"l\($0)\": \"v\($0)\"" }.joined(separator: ", ")
                let values = (0..<entries).map { "[\"\(ns)\", \"line \($0)\"]" }.joined(separator: ", ")
                return "{\"stream\": {\"host\": \"web-1\", \(names)}, \"values\": [\(values)]}"
            }
            try await h.app.test(.router) { client in
                let hostile = "{\"streams\": [\(stream(labels: 200, entries: 2000)), \(stream(labels: 10, entries: 3))]}"
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.push(h.hostToken), body: ByteBuffer(string: hostile)) { response in
                    #expect(response.status == .badRequest)
                    let answer = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    #expect(answer["field"] as? String == "streams[0].stream")
                    #expect((answer["error"] as? String)?.contains("at most 64") == true)
                    #expect(answer["rejected"] as? Int == 2000)
                    #expect(answer["stored"] as? Int == 3)
                }
                // 63 labels and the host's are the most a stream may have.
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: Self.push(h.hostToken),
                                         body: ByteBuffer(string: "{\"streams\": [\(stream(labels: 63, entries: 2))]}")) { response in
                    #expect(response.status == .noContent)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 5)
        }
    }
}
