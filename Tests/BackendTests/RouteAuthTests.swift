import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Backend

/// Every route in the router, called without credentials: which answer, and which refuse. A
/// route added later without auth fails here until it is listed as public on purpose.
@Suite struct RouteAuthTests {
    /// Routes anyone may call. Pings carry their credential in the URL (a ping id or key), so
    /// without a valid one they answer 404, never act.
    static let publicRoutes: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /openapi.yaml",
        "GET /ping/{}", "HEAD /ping/{}", "POST /ping/{}",
        "GET /ping/{}/{}", "HEAD /ping/{}/{}", "POST /ping/{}/{}",
        "GET /ping/{}/{}/{}", "HEAD /ping/{}/{}/{}", "POST /ping/{}/{}/{}",
        "GET /api/push/{}", "POST /api/push/{}", "GET /hb/{}",
    ]

    /// Pages that work without a session, and what they answer to a bare call: the login form,
    /// a login without its CSRF cookie (refused), the CSS and JS, and / (a redirect to the dashboard).
    static let pagesAnyoneMayCall: [String: HTTPResponse.Status] = [
        "GET /login": .ok, "POST /login": .forbidden, "GET /assets/{}": .notFound, "GET /": .seeOther,
    ]

    @Test func everyOtherRouteNeedsAToken() async throws {
        try await IngestHTTPTests.withHarness { h in
            let router = buildRouter(domain: h.domain, journal: h.journal, config: h.config)
            let routes = router.routes.map { (method: $0.method, path: "\($0.path)") }
            let pages = Router(context: AppRequestContext.self)
            addPages(to: pages, store: h.store, alerting: h.domain.alerting, outbox: h.domain.outbox, leadership: h.domain.leadership, journal: h.journal, auth: TokenAuthenticator(store: h.store), config: h.config)
            let pageRoutes = Set(pages.routes.map { OpenAPITests.normalize("\($0.method)", "\($0.path)") })
            #expect(routes.count > 25)
            try await h.app.test(.router) { client in
                for route in routes {
                    let key = OpenAPITests.normalize("\(route.method)", route.path)
                    // A concrete URL for the pattern: every parameter filled in.
                    let uri = "/" + route.path.split(separator: "/").map { $0.hasPrefix(":") || $0 == "**" ? "x" : String($0) }.joined(separator: "/")
                    try await client.execute(uri: uri + "?host=web-1", method: route.method, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) { response in
                        if Self.pagesAnyoneMayCall[key] != nil {
                            #expect(response.status == Self.pagesAnyoneMayCall[key], "\(key) answered \(response.status)")
                        } else if pageRoutes.contains(key) {
                            // A page without a session sends the browser to log in, and does nothing.
                            #expect(response.status == .seeOther, "\(key) answered \(response.status) without a session")
                            #expect(response.headers[.location]?.hasPrefix("/login?next=") == true, "\(key) redirected elsewhere")
                        } else if Self.publicRoutes.contains(key) {
                            #expect(response.status != .unauthorized, "\(key) is public")
                            if route.method != .get || key.hasPrefix("GET /ping") || key.hasPrefix("GET /api/push") || key.hasPrefix("GET /hb") {
                                // Acting public routes act only for a valid ping id or key.
                                if !["GET /healthz", "GET /readyz", "GET /openapi.yaml"].contains(key) {
                                    #expect(response.status == .notFound, "\(key) acted without a valid ping id: \(response.status)")
                                }
                            }
                        } else {
                            #expect(response.status == .unauthorized, "\(key) answered \(response.status) without a token")
                        }
                    }
                }
            }
            // Nothing was stored by all those calls.
            #expect(try await h.store.hosts().isEmpty)
        }
    }
}
