import Foundation
import Hummingbird

/// `/assets/NAME`: the pages' CSS and JS, read from the resource bundle once at start-up. Only
/// those names are served, so no path can reach any other file.
struct AssetsController: Sendable {
    let files: [String: (type: String, body: ByteBuffer)]

    static func load() throws -> AssetsController {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("public") else {
            throw PageError(.internalServerError, "the public resource is missing next to the binary (metrics_Backend.resources)")
        }
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]
        var files: [String: (String, ByteBuffer)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            guard let type = types[(name as NSString).pathExtension] else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = (type, ByteBuffer(bytes: data))
        }
        return AssetsController(files: files)
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("assets/:name", use: asset)
    }

    @Sendable func asset(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let name = context.parameters.get("name"), let file = files[name] else {
            throw PageError(.notFound, "There is no such file.")
        }
        var headers = Views.headers(contentType: file.type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: file.body))
    }
}
