import Foundation
import Shared

/// What the tests read the backend's and the sender's JSON with.
extension Report {
    /// Reads ISO 8601 times with or without fractional seconds; a bad time names its field.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTime(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an ISO 8601 time such as 2026-11-22T12:00:00Z")
            }
            return date
        }
        return decoder
    }
}
