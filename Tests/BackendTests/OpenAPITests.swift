import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Backend

/// docs/openapi.yaml and the router describe the same routes, and the backend serves the file.
@Suite struct OpenAPITests {
    static var file: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
    }

    /// "METHOD /path" with every path parameter written `{}`.
    static func normalize(_ method: String, _ path: String) -> String {
        let parts = path.split(separator: "/").map { part -> String in
            part.hasPrefix(":") || part.hasPrefix("{") || part == "**" ? "{}" : String(part)
        }
        return "\(method.uppercased()) /" + parts.joined(separator: "/")
    }

    /// The operations under `paths:`: a path at two spaces, its methods at four.
    static func documented(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "head", "post", "put", "delete", "patch", "options"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty && !line.hasPrefix(" ") { inPaths = false; continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); continue }
            if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if methods.contains(String(key)) { operations.insert(normalize(String(key), path)) }
            }
        }
        return operations
    }

    @Test func theDescriptionAndTheRouterHaveTheSameRoutes() async throws {
        let yaml = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(yaml.hasPrefix("openapi: 3.1.0"))
        let documented = Self.documented(yaml)
        try await IngestHTTPTests.withHarness { h in
            let router = buildRouter(domain: h.domain, journal: h.journal, config: h.config)
            // The pages answer HTML, not the API; PagesHTTPTests covers them.
            let pages = Router(context: AppRequestContext.self)
            addPages(to: pages, store: h.store, alerting: h.domain.alerting, outbox: h.domain.outbox, leadership: h.domain.leadership, journal: h.journal, auth: TokenAuthenticator(store: h.store), config: h.config)
            let pageRoutes = Set(pages.routes.map { Self.normalize("\($0.method)", "\($0.path)") })
            #expect(pageRoutes.count > 10)
            let routed = Set(router.routes.map { Self.normalize("\($0.method)", "\($0.path)") }).subtracting(pageRoutes)
            #expect(routed.count > 20)
            #expect(routed.subtracting(documented).sorted() == [], "routes missing from docs/openapi.yaml")
            #expect(documented.subtracting(routed).sorted() == [], "documented operations the router does not have")
        }
    }

    @Test func theBackendServesIt() async throws {
        try await IngestHTTPTests.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == (try? String(contentsOf: Self.file, encoding: .utf8)))
                }
            }
        }
    }
}
