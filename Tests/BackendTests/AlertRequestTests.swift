import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// The JSON bodies of silences, pauses and heartbeats, each read once into its type: a bad field
/// is a 400 naming it, and JSON's types are kept (1 is not true, null is not missing).
@Suite struct AlertRequestTests {
    typealias H = IngestHTTPTests

    @Test func badFieldsAreNamed() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                _ = try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.allToken), body: try H.json(Reports.sample()))
                let cases: [(String, String, String?)] = [
                    ("/api/v1/pause", #"{"host": "web-1", "paused": 1}"#, "paused"),
                    ("/api/v1/pause", #"{"host": "web-1"}"#, "paused"),
                    ("/api/v1/pause", #"{"host": 7, "paused": true}"#, "host"),
                    ("/api/v1/pause", #"{"host": "web-1", "check": "", "paused": true}"#, "check"),
                    ("/api/v1/silences", #"{"host": "web-1"}"#, "for"),
                    ("/api/v1/silences", #"{"host": "web-1", "for": "1h", "until": null}"#, "until"),
                    ("/api/v1/silences", #"{"host": "web-1", "for": null}"#, "until"),
                    ("/api/v1/silences", #"{"host": "web-1", "for": "soon"}"#, "for"),
                    ("/api/v1/silences", #"{"host": "web-1", "until": "tomorrow"}"#, "until"),
                    ("/api/v1/silences", #"["web-1"]"#, nil),
                    ("/api/v1/heartbeats", #"{"host": "web-1", "name": "job", "every": 3600}"#, "every"),
                    ("/api/v1/heartbeats", #"{"host": "web-1"}"#, "name"),
                ]
                for (uri, body, field) in cases {
                    let response = try await client.execute(uri: uri, method: .post, headers: H.bearer(h.allToken), body: ByteBuffer(string: body))
                    #expect(response.status == .badRequest, "\(uri) \(body)")
                    #expect(H.error(response).field == field, "\(uri) \(body): \(H.error(response))")
                }
                let paused = try await client.execute(uri: "/api/v1/pause", method: .post, headers: H.bearer(h.allToken),
                                                      body: ByteBuffer(string: #"{"host": "web-1", "check": null, "paused": true}"#))
                #expect(paused.status == .ok)
                let lifted = try await client.execute(uri: "/api/v1/silences", method: .post, headers: H.bearer(h.allToken),
                                                      body: ByteBuffer(string: #"{"host": "web-1", "until": null}"#))
                #expect(lifted.status == .ok)
            }
            #expect(try await h.store.checks(host: "web-1", state: nil).allSatisfy { $0.paused && $0.silencedUntil == nil })
        }
    }
}
