import Foundation
import Hummingbird

/// A small JSON body, decoded once into its typed request. A request type's decoder throws
/// `APIError`s that name the field; anything else wrong means the body is not a JSON object.
enum JSONRequest {
    static let maxBytes = 16 << 10

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let data = Data(buffer: try await RequestBody.collect(request, limit: maxBytes))
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
    }
}

/// One member of a JSON object as a request reads it: JSON tells a missing member from `null`,
/// and some fields mean different things by each.
enum JSONField<Value> {
    case absent, null, value(Value)
    /// Present, but neither null nor a `Value`.
    case other
}

extension KeyedDecodingContainer {
    func field<T: Decodable>(_ type: T.Type, _ key: Key) -> JSONField<T> {
        guard contains(key) else { return .absent }
        if (try? decodeNil(forKey: key)) == true { return .null }
        if let value = try? decode(T.self, forKey: key) { return .value(value) }
        return .other
    }
}
