import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Testing
@testable import Backend

/// The journal routes over HTTP, in-process: ingest with its counts and errors, the original
/// `{"logs": ...}` format, and the search API.
@Suite struct JournalHTTPTests {
    typealias H = IngestHTTPTests
    typealias F = JournalFixtures

    static func ndjson(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/x-ndjson"] }

    static func object(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    @Test func aBatchIsStoredAndItsResendStoresNothing() async throws {
        try await H.withHarness { h in
            let base = F.ago(120)
            let body = (0..<20).map { F.line($0, at: base + $0) }.joined(separator: "\n") + "\n"
            let gzipped = try await Gzip.run(Data(body.utf8))
            var headers = Self.ndjson(h.hostToken)
            headers[.contentEncoding] = "gzip"
            let sent = headers
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: sent, body: ByteBuffer(bytes: gzipped)) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"duplicates":0,"expired":0,"rejected":0,"stored":20}"#)
                }
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: sent, body: ByteBuffer(bytes: gzipped)) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"duplicates":20,"expired":0,"rejected":0,"stored":0}"#)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 20)
        }
    }

    @Test func badLinesAreCountedAndNamedWhileGoodOnesAreStored() async throws {
        try await H.withHarness { h in
            let at = F.ago(60)
            let lines = [
                F.line(1, at: at),
                "{not json",
                #"{"realtimeUsec":\#(at),"cursor":"nonsense","message":"x"}"#,
                F.line(2, at: at, extra: #","priority":9"#).replacingOccurrences(of: #""priority":6,"#, with: ""),
                F.line(3, at: F.ago(30 * 86400)),
                F.line(4, at: at, message: "nul \\u0000 inside"),
                "[1,2]",
            ]
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: Self.ndjson(h.hostToken), body: ByteBuffer(string: lines.joined(separator: "\n"))) { response in
                    #expect(response.status == .ok)
                    let answer = Self.object(response)
                    #expect(answer["stored"] as? Int == 2)
                    #expect(answer["expired"] as? Int == 1)
                    #expect(answer["rejected"] as? Int == 4)
                    let errors = answer["errors"] as? [[String: Any]] ?? []
                    #expect(errors.compactMap { $0["line"] as? Int } == [2, 3, 4, 7])
                    #expect(errors.compactMap { $0["field"] as? String } == ["cursor", "priority"])
                }
            }
            let stored = try await h.journal.entries(JournalQuery())
            #expect(stored.map(\.seqnum) == [4, 1] || stored.map(\.seqnum) == [1, 4])
            let nul = try #require(stored.first { $0.seqnum == 4 })
            #expect(nul.message == "nul \\x00 inside")
            #expect(nul.messageBase64.flatMap { Data(base64Encoded: $0) } == Data("nul \u{0} inside".utf8))
        }
    }

    @Test func authScopeAndBoundsAreChecked() async throws {
        try await H.withHarness({ $0.maxJournalBytes = 4096 }) { h in
            let line = ByteBuffer(string: F.line(1, at: F.ago(5)))
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: [.contentType: "application/x-ndjson"], body: line) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: Self.ndjson("mt_nope"), body: line) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/journal?host=db-1", method: .post, headers: Self.ndjson(h.hostToken), body: line) { response in
                    #expect(response.status == .forbidden)
                    #expect(H.error(response).field == "host")
                }
                try await client.execute(uri: "/api/v1/journal", method: .post, headers: Self.ndjson(h.hostToken), body: line) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "host")
                }
                let big = ByteBuffer(string: String(repeating: F.line(1, at: F.ago(5)) + "\n", count: 40))
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: Self.ndjson(h.hostToken), body: big) { response in
                    #expect(response.status == .contentTooLarge)
                    // The setting that raises the journal's limit, not the reports'.
                    #expect(H.error(response).error.contains("JOURNAL_MAX_BYTES"))
                }
                var gzip = Self.ndjson(h.hostToken)
                gzip[.contentEncoding] = "gzip"
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: gzip, body: line) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "Content-Encoding")
                }
            }
            #expect(try await h.journal.entries(JournalQuery()).isEmpty)
        }
    }

    @Test func theOriginalFormatIsStored() async throws {
        try await H.withHarness { h in
            let at = F.ago(90)
            // journalctl -o json: strings, and MESSAGE as byte values when it is not UTF-8.
            let text = #"{"__CURSOR":"\#(F.cursor(seqnum: 10, at: at))","__REALTIME_TIMESTAMP":"\#(at)","_BOOT_ID":"\#(F.bootA)","_HOSTNAME":"web-1","_SYSTEMD_UNIT":"cron.service","SYSLOG_IDENTIFIER":"CRON","_PID":"77","PRIORITY":"6","MESSAGE":"session opened"}"#
            let binary = #"{"__CURSOR":"\#(F.cursor(seqnum: 11, at: at + 1))","__REALTIME_TIMESTAMP":"\#(at + 1)","_HOSTNAME":"web-1","PRIORITY":"3","MESSAGE":[104,105,255,10]}"#
            let logs = [text, binary, "garbage", #"{"__REALTIME_TIMESTAMP":"1"}"#].joined(separator: "\n")
            let body = try JSONSerialization.data(withJSONObject: ["logs": logs])
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/journal?token=\(h.hostToken)", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(data: body)) { response in
                    #expect(response.status == .ok)
                    let answer = Self.object(response)
                    #expect(answer["stored"] as? Int == 2)
                    #expect(answer["rejected"] as? Int == 2)
                }
                try await client.execute(uri: "/journal", method: .post, headers: H.bearer(h.hostToken), body: ByteBuffer(string: #"{"logs": 5}"#)) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "logs")
                }
                try await client.execute(uri: "/journal", method: .post, headers: [:], body: ByteBuffer(data: body)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            let entries = try await h.journal.entries(JournalQuery())
            #expect(entries.map(\.seqnum) == [11, 10])
            #expect(entries.last?.unit == "cron.service")
            #expect(entries.last?.pid == 77)
            #expect(entries.last?.host == "web-1")
            #expect(entries.first?.message == "hi\\xff\n")
            #expect(entries.first?.messageBase64.flatMap { Data(base64Encoded: $0) } == Data([104, 105, 255, 10]))
        }
    }

    @Test func searchFiltersAndPagesNewestFirst() async throws {
        try await H.withHarness { h in
            let base = F.ago(600)
            let lines = (0..<30).map { F.line($0, at: base + $0 * 1000, unit: $0 % 2 == 0 ? "a.service" : "b.service", message: "line \($0)") }
            _ = try await h.journal.insert(JournalBatchReader.read(ByteBuffer(string: lines.joined(separator: "\n")), host: "web-1", limits: JournalLimits(), now: Date()).rows)
            try await h.app.test(.router) { client in
                var next: String? = "/api/v1/journal?unit=a.service&limit=6"
                var messages: [String] = []
                while let uri = next {
                    try await client.execute(uri: uri, method: .get, headers: H.bearer(h.allToken)) { response in
                        #expect(response.status == .ok)
                        let page = Self.object(response)
                        messages += (page["entries"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
                        next = (page["older"] as? String).map { "/api/v1/journal?unit=a.service&limit=6&before=\($0)" }
                    }
                }
                #expect(messages == stride(from: 28, through: 0, by: -2).map { "line \($0)" })
                try await client.execute(uri: "/api/v1/journal?q=LINE%2029", method: .get, headers: H.bearer(h.allToken)) { response in
                    #expect((Self.object(response)["entries"] as? [Any])?.count == 1)
                }
                for (query, field) in [("priority=loud", "priority"), ("limit=0", "limit"), ("before=abc", "before"), ("from=yesterday", "from"), ("before=1-1&after=1-1", "after")] {
                    try await client.execute(uri: "/api/v1/journal?\(query)", method: .get, headers: H.bearer(h.allToken)) { response in
                        #expect(response.status == .badRequest, "\(query)")
                        #expect(H.error(response).field == field, "\(query)")
                    }
                }
                // Reading needs a token for all hosts; a host's own token may only send.
                try await client.execute(uri: "/api/v1/journal", method: .get, headers: H.bearer(h.hostToken)) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/journal", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }
}
