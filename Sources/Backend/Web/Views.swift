import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The pages' templates, `views/*.mustache`, shipped with the binary as a resource and parsed
/// once at start-up. `{{x}}` escapes HTML, so names from reports cannot inject markup.
struct Views: Sendable {
    let library: MustacheLibrary

    static func load() throws -> Views {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("views"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw PageError(.internalServerError, "the views are missing next to the binary (metrics_Backend.resources/views)")
        }
        var library = MustacheLibrary()
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            do { try library.register(text, named: String(name.dropLast(".mustache".count))) } catch {
                throw PageError(.internalServerError, "views/\(name): \(error)")
            }
        }
        return Views(library: library)
    }

    /// A rendered page with the headers every page carries.
    func page(_ template: String, _ model: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(model, withTemplate: template) ?? "<!doctype html><p>missing template \(template)</p>"
        return Response(status: status, headers: Self.headers(contentType: "text/html; charset=utf-8"),
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// No framing, no inline script, nothing from other origins, nothing cached.
    static func headers(contentType: String) -> HTTPFields {
        [
            .contentType: contentType,
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
            .cacheControl: "no-store",
        ]
    }
}
