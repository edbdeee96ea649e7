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

extension DecodingError {
    /// The JSON path of the offending field, as `observations[3].name`, and what is wrong with it.
    var fieldAndMessage: (field: String?, message: String) {
        func path(_ keys: [any CodingKey]) -> String? {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? nil : text
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return (parent.map { "\($0).\(key.stringValue)" } ?? key.stringValue, "is missing")
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "has the wrong type; expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "is null; expected \(Self.describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return (nil, "the body is not valid JSON") }
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return (nil, "the body could not be decoded")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Date.Type: return "an ISO 8601 time such as 2026-11-22T12:00:00Z"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
