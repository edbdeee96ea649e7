import CCurl
import CSupport

/// One HTTP exchange through libcurl, which also speaks to Docker's unix socket. libcurl and its
/// TLS stack are loaded on first use only (see curl_loader.c): a dry run never pays for them.
struct HTTPRequest: Sendable {
    var method = "GET"
    var url: String
    var headers: [String] = []
    var body: [UInt8] = []
    /// Talk HTTP over this unix socket instead of TCP (Docker's API).
    var unixSocket: String?
    var connectTimeout = 10
    var totalTimeout = 10
}

struct HTTPResponse: Sendable {
    var status: Int
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A failure before any HTTP status arrived: refused, DNS, TLS, timeout.
struct TransportError: Error, CustomStringConvertible {
    var url: String
    var message: String
    var description: String { "\(url): \(message)" }
}

enum HTTPClient {
    /// Largest response body kept; backends answer with small JSON, Docker with a container list.
    static let maxResponseBytes = 8 << 20

    static func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        if let problem = csupport_curl_load() {
            throw TransportError(url: request.url, message: String(cString: problem))
        }
        guard let handle = csupport_curl_easy_init() else {
            throw TransportError(url: request.url, message: "libcurl could not start")
        }
        defer { csupport_curl_easy_cleanup(handle) }
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { csupport_curl_slist_free_all(headerList) }
        for header in request.headers { headerList = csupport_curl_slist_append(headerList, header) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = request.body.withUnsafeBytes { body in
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                csupport_curl_setopt_ptr(handle, CURLOPT_URL, request.url)
                csupport_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request.method)
                csupport_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                csupport_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                csupport_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, request.connectTimeout)
                csupport_curl_setopt_long(handle, CURLOPT_TIMEOUT, request.totalTimeout)
                csupport_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
                if let socket = request.unixSocket { csupport_curl_setopt_ptr(handle, CURLOPT_UNIX_SOCKET_PATH, socket) }
                if let headerList { csupport_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList) }
                if request.method != "GET" && request.method != "HEAD" {
                    csupport_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, body.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                    csupport_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                }
                if request.method == "HEAD" { csupport_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
                csupport_curl_setopt_write(handle, writeBody)
                csupport_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, sinkPointer)
                return csupport_curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: csupport_curl_easy_strerror(code)) : detail
            throw TransportError(url: request.url, message: message)
        }
        var status = 0
        csupport_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: sink.bytes)
    }
}

/// Collects the response body for the C write callback, which reaches it through a raw pointer.
private final class ResponseSink {
    var bytes: [UInt8] = []
}

private func writeBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.bytes.count + length <= HTTPClient.maxResponseBytes else { return 0 }  // abort: too large
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}
