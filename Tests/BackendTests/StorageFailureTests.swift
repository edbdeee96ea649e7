import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// Storage down or stuck, as every route answers it: 503 with Retry-After and no details, from
/// one middleware; pings in their own text form.
@Suite struct StorageFailureTests {
    typealias H = IngestHTTPTests
    typealias P = PagesHTTPTests

    static func expectUnavailable(_ response: TestResponse, _ what: String) {
        #expect(response.status == .serviceUnavailable, "\(what)")
        #expect(response.headers[.retryAfter] == "5", "\(what)")
        #expect(String(buffer: response.body) == #"{"error":"storage is unavailable; retry later"}"#, "\(what)")
    }

    @Test func theAPIAndThePagesAnswer503WithRetryAfter() async throws {
        try await P.withPages { h in
            try await h.app.test(.router) { client in
                let browser = try #require(try await P.login(client).browser)
                // A lookup the token cache answers, so the handler's own call fails.
                #expect(try await client.execute(uri: "/api/v1/hosts", method: .get, headers: H.bearer(h.allToken)).status == .ok)
                await h.store.close()
                Self.expectUnavailable(try await client.execute(uri: "/api/v1/hosts", method: .get, headers: H.bearer(h.allToken)), "cached token")
                Self.expectUnavailable(try await client.execute(uri: "/api/v1/hosts", method: .get, headers: H.bearer(h.hostToken)), "token lookup")
                Self.expectUnavailable(try await client.execute(uri: "/dashboard", method: .get, headers: browser.headers), "page session")
                let report = try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.allToken), body: try H.json(Reports.sample()))
                Self.expectUnavailable(report, "report")
            }
        }
    }

    @Test func aPingAnswers503InItsOwnForm() async throws {
        try await H.withHarness { h in
            let made = try await h.store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "backup", slug: "backup"), now: Date())
            await h.store.close()
            try await h.app.test(.router) { client in
                let response = try await client.execute(uri: "/ping/\(made.pingID)", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(String(buffer: response.body) == "storage is unavailable; retry later")
            }
        }
    }

    /// A handler stuck on storage answers once the deadline passes, not when it ends; a body was
    /// read whole before the deadline started. Bounds are loose: a loaded machine runs late.
    @Test func aStuckHandlerAnswers503AtTheDeadline() async throws {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: StorageErrorMiddleware())
        router.group().underStorageDeadline(bodyLimit: 64, limit: .milliseconds(300))
            .get("stuck") { _, _ -> String in
                try? await Task.sleep(for: .seconds(120))
                return "late"
            }
        router.group().underStorageDeadline(bodyLimit: 64, limit: .seconds(60))
            .post("echo") { request, _ -> String in
                String(buffer: try await Backend.RequestBody.collect(request, limit: 64))
            }
            .get("broken") { _, _ -> String in throw Bug() }
        try await Application(router: router).test(.router) { client in
            let start = ContinuousClock.now
            let stuck = try await client.execute(uri: "/stuck", method: .get)
            #expect(ContinuousClock.now - start < .seconds(60))
            Self.expectUnavailable(stuck, "stuck")
            let echo = try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: "hello"))
            #expect(echo.status == .ok && String(buffer: echo.body) == "hello")
            let big = try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: String(repeating: "x", count: 65)))
            #expect(big.status == .contentTooLarge)
            // A fault that is not storage's is a 500, which a sender does not retry.
            let broken = try await client.execute(uri: "/broken", method: .get)
            #expect(broken.status == .internalServerError)
            #expect(broken.headers[.retryAfter] == nil)
        }
    }

    struct Bug: Error {}
}
