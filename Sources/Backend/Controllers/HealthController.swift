import Foundation
import Hummingbird

/// `/healthz`: the process answers. `/readyz`: the databases answer too, within two seconds.
/// `/openapi.yaml`: the API's description.
struct HealthController<Context: RequestContext> {
    let store: any Store
    let journal: any JournalStore

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get("healthz", use: healthz)
            .get("readyz", use: readyz)
            .get("openapi.yaml", use: openAPI)
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        guard let text = OpenAPIDocument.text else { throw APIError(.notFound, "the OpenAPI description was not installed with this binary") }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func healthz(_ request: Request, context: Context) async throws -> Response {
        try JSONBody.response(["status": "ok"])
    }

    @Sendable func readyz(_ request: Request, context: Context) async throws -> Response {
        let (store, journal) = (self.store, self.journal)
        let answered = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                guard (try? await store.ping()) != nil else { return false }
                return (try? await journal.ping()) != nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard answered else {
            return try JSONBody.response(["status": "unavailable", "engine": store.engine], status: .serviceUnavailable)
        }
        return try JSONBody.response(["status": "ready", "engine": store.engine])
    }
}

/// The OpenAPI description, shipped with the binary as a resource (docs/openapi.yaml links to it).
enum OpenAPIDocument {
    static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap { try? String(contentsOf: $0, encoding: .utf8) }
}
