import Foundation
import Hummingbird
import Shared

/// An error the API answers with: a status and `{"error": "...", "field": "..."}`.
struct APIError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var field: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func invalid(_ error: ValidationError) -> APIError {
        APIError(.badRequest, error.message, field: error.field)
    }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    /// Storage failed or gave no answer in time: senders retry, and so may anyone else.
    static var storageUnavailable: APIError {
        var error = APIError(.serviceUnavailable, "storage is unavailable; retry later")
        error.headers[.retryAfter] = "5"
        return error
    }

    private struct Body: Encodable {
        var error: String
        var field: String?
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(Body(error: message, field: field), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// JSON responses with the protocol's encoder (ISO 8601 times, sorted keys).
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try Report.makeEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
