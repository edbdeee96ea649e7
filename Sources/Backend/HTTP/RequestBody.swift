import Hummingbird
import NIOCore

/// Reads a request body within a byte limit, inflating gzip when the sender compressed it.
/// Both the bytes on the wire and the inflated bytes are bounded, so a zip bomb gets a 413.
enum RequestBody {
    /// `setting`: the variable that raises `limit`, named in the 413.
    static func collect(_ request: Request, limit: Int, setting: String? = nil) async throws -> ByteBuffer {
        let buffer = try await received(request, limit: limit, setting: setting)
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            return buffer
        case "gzip", "x-gzip":
            do {
                return try Inflate.gunzip(buffer, limit: limit)
            } catch Inflate.Failure.tooLarge {
                throw tooLarge(limit, setting)
            } catch {
                throw APIError(.badRequest, "the body is not valid gzip", field: "Content-Encoding")
            }
        case let other?:
            throw APIError(.unsupportedMediaType, "Content-Encoding '\(other.prefix(40))' is not supported; send identity or gzip", field: "Content-Encoding")
        }
    }

    /// The body as it came over the wire, still compressed if it was.
    static func received(_ request: Request, limit: Int, setting: String? = nil) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit, setting)
        }
        let body = request.body
        // A client that trickles its body must not hold a request open for ever.
        switch await withDeadline(ConnectionLimits.bodyDeadline, { try await body.collect(upTo: limit) }) {
        case .success(let collected)?: return collected
        case .failure(let error as HTTPError)? where error.status == .contentTooLarge: throw tooLarge(limit, setting)
        case .failure(let error)?: throw error
        case nil:
            throw APIError(.requestTimeout, "the body did not arrive within \(ConnectionLimits.bodyDeadline.components.seconds) s; send it at once")
        }
    }

    static func tooLarge(_ limit: Int, _ setting: String?) -> APIError {
        APIError(.contentTooLarge, "the body is larger than \(limit) bytes" + (setting.map { "; send less at once or raise \($0)" } ?? ""))
    }
}
