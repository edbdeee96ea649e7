import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// The caller's identity, put on the context by middleware before a handler runs.
@Suite struct CallerMiddlewareTests {
    typealias H = IngestHTTPTests

    @Test func theHandlerReadsTheCallerTheMiddlewareFound() async throws {
        try await H.withHarness { h in
            let router = Router(context: AppRequestContext.self)
            router.group().add(middleware: CallerMiddleware(TokenAuthenticator(store: h.store), .reporter(queryToken: true, allowAnonymous: false)))
                .get("whoami") { _, context -> String in
                    let caller = try context.requireCaller()
                    return caller.host ?? "all hosts"
                }
            try await Application(router: router).test(.router) { client in
                let scoped = try await client.execute(uri: "/whoami", method: .get, headers: H.bearer(h.hostToken))
                #expect(String(buffer: scoped.body) == "web-1")
                let all = try await client.execute(uri: "/whoami?token=\(h.allToken)", method: .get)
                #expect(String(buffer: all.body) == "all hosts")
                let nobody = try await client.execute(uri: "/whoami", method: .get)
                #expect(nobody.status == .unauthorized)
            }
        }
    }

    /// A sender's route mounted without its middleware refuses, and stores nothing: no handler
    /// takes a missing caller for an anonymous one.
    @Test func aRouteMountedWithoutItsMiddlewareRefuses() async throws {
        try await H.withHarness { h in
            let router = Router(context: AppRequestContext.self)
            router.addRoutes(IngestController(ingest: h.domain.ingest, config: h.config).endpoints, atPath: "/api/v1")
            try await Application(router: router).test(.router) { client in
                let response = try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.allToken), body: try H.json(Reports.sample()))
                #expect(response.status == .internalServerError)
            }
            #expect(try await h.store.hosts().isEmpty)
        }
    }
}
