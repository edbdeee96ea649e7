import Shared

/// Why a delivery failed, in the words a user can act on. Exit code 3 for both.
enum DeliveryError: Error, CustomStringConvertible {
    case unreachable(String)
    /// The backend answered 5xx or 429 through every retry: it is up, but did not take this.
    case unavailable(status: Int, detail: String)
    case rejected(status: Int, message: String)

    var description: String {
        switch self {
        case .unreachable(let detail), .unavailable(_, let detail): return "backend unreachable: \(detail)"
        case .rejected(let status, let message): return "backend rejected the data (HTTP \(status)): \(message)"
        }
    }
}

/// POSTs JSON to the backend with a bearer token, gzip above a threshold, and bounded retries
/// on connection errors and 5xx. A 4xx is final: sending the same thing again cannot help.
struct BackendClient {
    var baseURL: String
    var token: String?
    var timeout: TimeSpan
    /// Total time all attempts may take.
    var retryBudget: TimeSpan
    var gzipAbove = 8 * 1024
    /// Monotonic seconds (`Clock`) by which every attempt has ended; nil: only the retry budget holds.
    var deadline: Double?

    func post(path: String, json body: [UInt8]) throws(DeliveryError) -> HTTPResponse {
        try post(path: path, body: body, contentType: "application/json", gzipAbove: gzipAbove)
    }

    /// `gzipAbove`: compress bodies larger than this many bytes (0: always, with `gzipLevel`).
    func post(path: String, body: [UInt8], contentType: String, gzipAbove: Int, gzipLevel: Int32 = 6) throws(DeliveryError) -> HTTPResponse {
        var request = HTTPRequest(method: "POST", url: baseURL + path)
        request.headers = ["Content-Type: \(contentType)", "Accept: application/json", "Expect:"]
        if let token { request.headers.append("Authorization: Bearer \(token)") }
        request.body = body
        if body.count > gzipAbove, let compressed = Gzip.compress(body, level: gzipLevel) {
            request.body = compressed
            request.headers.append("Content-Encoding: gzip")
        }
        var backoff = Backoff(budget: min(Double(retryBudget.seconds), deadline.map { $0 - Clock.now() } ?? .infinity))
        while true {
            // The last attempt is cut short rather than run past the run's end.
            let left = deadline.map { Int(($0 - Clock.now()).rounded(.down)) } ?? Int.max
            guard left >= 1 else { throw .unreachable("no time left within the run's limit (run_limit) for \(request.url)") }
            request.connectTimeout = max(1, min(timeout.seconds, left))
            request.totalTimeout = max(1, min(timeout.seconds, left))
            let outcome: Result<HTTPResponse, TransportError>
            do { outcome = .success(try HTTPClient.perform(request)) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                return response
            case .success(let response) where response.status >= 500 || response.status == 429:
                guard backoff.wait(attemptTakes: Double(timeout.seconds)) else {
                    throw .unavailable(status: response.status, detail: "HTTP \(response.status) from \(request.url): \(Self.errorMessage(response))" + limitNote)
                }
            case .success(let response):
                throw .rejected(status: response.status, message: Self.errorMessage(response))
            case .failure(let error):
                guard backoff.wait(attemptTakes: Double(timeout.seconds)) else { throw .unreachable(error.description + limitNote) }
            }
        }
    }

    /// Says when the run's limit, not the retry budget, ended the attempts.
    private var limitNote: String {
        guard let deadline, Clock.now() >= deadline - Double(min(timeout.seconds, 2)) else { return "" }
        return " (stopped at the run's limit, run_limit)"
    }

    /// The backend's JSON error as it sent it, or the start of whatever else came back.
    static func errorMessage(_ response: HTTPResponse) -> String {
        let text = response.text
        let trimmed = text.count > 500 ? String(text.prefix(500)) + "…" : text
        return trimmed.isEmpty ? "(empty body)" : trimmed
    }
}
