import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// Basic auth on the Loki route, for clients that know no other way.
@Suite struct LokiBasicAuthTests {
    typealias P = LokiProtobufTests

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Clients that know only basic auth send the token as the password, with any user name.
    @Test func basicAuthCarriesTheTokenAsThePasswordOnTheLokiRouteOnly() async throws {
        try await P.withHarness { h in
            let body = try P.body("promtail.snappy")
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers(Self.basic("promtail", h.hostToken)),
                                         body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == .noContent)
                }
                for bad in [Self.basic("promtail", "mt_" + String(repeating: "0", count: 64)), Self.basic(h.hostToken, ""), "Basic !!notbase64"] {
                    try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: P.headers(bad), body: ByteBuffer(bytes: body)) { response in
                        #expect(response.status == .unauthorized, "\(bad)")
                    }
                }
                // Without a credential the answer offers both schemes.
                try await client.execute(uri: "/loki/api/v1/push", method: .post, headers: [:], body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.contains("Basic") == true)
                }
                // Elsewhere a token is a bearer token, as before.
                try await client.execute(uri: "/api/v1/journal", method: .post, headers: [.authorization: Self.basic("x", h.hostToken), .contentType: "application/x-ndjson"],
                                         body: ByteBuffer(string: "")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            #expect(try await h.journal.entries(JournalQuery(limit: 100)).count == 3)
        }
    }
}
