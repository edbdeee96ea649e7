import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, bounded, as a dictionary of its fields.
enum FormBody {
    static let maxBytes = 64 << 10

    static func read(_ request: Request) async throws -> [String: String] {
        let body = try await RequestBody.collect(request, limit: maxBytes)
        return parse(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    /// The first value of each name wins; names and values are percent-decoded, `+` is a space.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
