import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// Hostile bodies and query strings against every route that reads one: a 4xx with a JSON error,
/// never a 5xx, and what was stored before stays stored and unchanged.
@Suite struct HostileInputTests {
    typealias H = IngestHTTPTests

    static let bodies: [(String, [UInt8])] = [
        ("deeply nested", Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)),
        ("deep object", Array((String(repeating: #"{"a":"#, count: 5000) + "1" + String(repeating: "}", count: 5000)).utf8)),
        ("invalid UTF-8", Array(#"{"host": ""#.utf8) + [0xC3, 0x28, 0xFF] + Array(#"", "name": "x"}"#.utf8)),
        ("NUL bytes", Array(#"{"host": "a\u0000b", "name": "x\u0000"}"#.utf8)),
        ("not JSON", Array("<script>alert(1)</script>".utf8)),
        ("a huge number", Array(#"{"version": 1e999999, "host": "x"}"#.utf8)),
        ("an empty body", []),
    ]

    static let posts = ["/api/v1/report", "/api/v1/silences", "/api/v1/pause", "/api/v1/heartbeats", "/loki/api/v1/push", "/metric",
                        "/journal", "/api/v1/journal?host=web-1"]

    @Test func hostileBodiesGetA4xxWithAJSONError() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.allToken), body: try H.json(Reports.sample())) { response in
                    #expect(response.status == .ok)
                }
                for path in Self.posts {
                    for (what, bytes) in Self.bodies {
                        var headers = H.bearer(h.allToken)
                        headers[.contentType] = "application/json"
                        try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
                            let code = response.status.code
                            // The NDJSON journal answers 200 and names each bad line instead (a 4xx would make a sender resend forever).
                            if path.hasPrefix("/api/v1/journal") {
                                #expect(code == 200 || (400..<500).contains(code), "\(what) to \(path): \(code)")
                            } else {
                                #expect((400..<500).contains(code), "\(what) to \(path): \(code)")
                                let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
                                #expect(object?["error"] is String, "\(what) to \(path): \(String(buffer: response.body).prefix(200))")
                            }
                        }
                    }
                }
            }
            #expect(try await h.store.checks(host: "web-1", state: nil).count == 5)
        }
    }

    static let injections = ["' OR 1=1 --", "x'; DROP TABLE journal_entries; --", "%' OR '%'='", "\\", "_%", "\" OR \"\"=\"", "1); DELETE FROM checks; --"]

    @Test func sqlInjectionInEveryFilterFindsNothingAndHarmsNothing() async throws {
        try await H.withHarness { h in
            let at = JournalFixtures.ago(60)
            try await h.app.test(.router) { client in
                let body = (0..<5).map { JournalFixtures.line(Int64($0), at: at + Int64($0)) }.joined(separator: "\n")
                try await client.execute(uri: "/api/v1/journal?host=web-1", method: .post, headers: JournalHTTPTests.ndjson(h.hostToken), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.hostToken), body: try H.json(Reports.sample())) { _ in }
                for injection in Self.injections {
                    let encoded = injection.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    for filter in ["host", "unit", "container", "identifier", "q", "priority", "from", "to", "before", "after"] {
                        try await client.execute(uri: "/api/v1/journal?\(filter)=\(encoded)", method: .get, headers: H.bearer(h.allToken)) { response in
                            let code = response.status.code
                            #expect(code == 200 || code == 400, "\(filter)=\(injection): \(code)")
                            if code == 200 {
                                let page = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                                #expect((page["entries"] as? [Any])?.isEmpty == true, "\(filter)=\(injection) matched entries")
                            }
                        }
                    }
                    for uri in ["/api/v1/checks?host=\(encoded)", "/api/v1/flips?host=\(encoded)&check=\(encoded)", "/api/v1/checks/\(encoded)/\(encoded)"] {
                        try await client.execute(uri: uri, method: .get, headers: H.bearer(h.allToken)) { response in
                            #expect(response.status.code < 500, "\(uri): \(response.status)")
                        }
                    }
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 5)
            #expect(try await h.store.checks(host: "web-1", state: nil).count == 5)
        }
    }
}
