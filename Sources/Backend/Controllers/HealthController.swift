import Foundation
import Hummingbird

/// `/healthz`: the process answers. `/readyz`: the databases answer too, within two seconds,
/// with who leads evaluation and how old its beat is. `/openapi.yaml`: the API's description.
struct HealthController<Context: RequestContext> {
    let store: any Store
    let journal: any JournalStore
    let leadership: Leadership

    struct Readiness: Encodable {
        var status: String
        var engine: String
        var evaluation: Leadership.Status?
    }

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
        let (store, journal, leadership) = (self.store, self.journal, self.leadership)
        let answered = await withTaskGroup(of: Leadership.Status??.self) { group in
            group.addTask {
                guard (try? await store.ping()) != nil, (try? await journal.ping()) != nil else { return nil }
                return .some(try? await leadership.status())
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let evaluation = answered else {
            return try JSONBody.response(Readiness(status: "unavailable", engine: store.engine), status: .serviceUnavailable)
        }
        return try JSONBody.response(Readiness(status: "ready", engine: store.engine, evaluation: evaluation))
    }
}

/// The OpenAPI description, shipped with the binary as a resource (docs/openapi.yaml links to it).
enum OpenAPIDocument {
    static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap { try? String(contentsOf: $0, encoding: .utf8) }
}
