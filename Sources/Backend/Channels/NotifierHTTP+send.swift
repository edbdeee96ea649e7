import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the chat services' notifiers share beyond `postJSON`: any method and headers, and one
/// place that keeps secrets out of error strings.
extension NotifierHTTP {
    struct Answer: Sendable {
        var status: Int
        /// The Retry-After header in seconds (services send seconds, not dates).
        var retryAfter: Double?
        var body: Data

        /// Up to 200 characters of the body, for an error string.
        var text: String { String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Sends a JSON body and returns the status, the Retry-After header and up to 64 KiB of the answer.
    static func send(_ url: String, method: HTTPMethod = .POST, headers: [(String, String)] = [], json body: Data) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "metrics-backend")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let answer = try await response.body.collect(upTo: 64 << 10)
        return Answer(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init),
                      body: Data(buffer: answer))
    }

    /// A service that could not be reached (refused, DNS, TLS, timeout) is worth retrying.
    static func unreachable(_ service: String, _ error: any Error) -> DeliveryAttempt {
        .retry(after: nil, error: "\(service) could not be reached: \(type(of: error)) \(error)")
    }

    /// `text` with every secret (token, password, a webhook URL and its path) replaced by `***`.
    static func scrub(_ text: String, _ secrets: [String]) -> String {
        // Longest first, so a URL goes before the path inside it.
        secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// The secret parts of a URL that embeds one (Slack's and Discord's webhooks): all of it, and its path.
    static func secrets(ofURL url: String) -> [String] {
        var secrets = [url]
        if let parsed = URL(string: url), !parsed.path.isEmpty, parsed.path != "/" { secrets.append(parsed.path) }
        return secrets
    }

    /// `https://host/base/` + `path`, with one slash between.
    static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }
}

extension DeliveryAttempt {
    /// The same outcome with secrets scrubbed from its error string.
    func hiding(_ secrets: [String]) -> DeliveryAttempt {
        switch self {
        case .delivered: return .delivered
        case .retry(let after, let error): return .retry(after: after, error: NotifierHTTP.scrub(error, secrets))
        case .rejected(let error): return .rejected(NotifierHTTP.scrub(error, secrets))
        }
    }

    /// The error, or nil when delivered.
    var error: String? {
        switch self {
        case .delivered: return nil
        case .retry(_, let error), .rejected(let error): return error
        }
    }
}
