import CCurl
import CSupport
import Foundation

/// One message handed to an SMTP server through libcurl (loaded on first use, as the sender does):
/// STARTTLS required on `smtp://`, TLS from the start on `smtps://`, AUTH when a user is set.
struct SMTPTransfer: Sendable {
    var url: String
    var username: String?
    var password: String?
    var from: EmailAddress
    var to: [EmailAddress]
    /// A private CA's certificates (PEM), for a server whose certificate the system does not trust.
    var caFile: String?

    /// Blocks until the server has taken the message or refused it: call it off the event loop.
    func send(_ message: String) -> DeliveryAttempt {
        if let problem = csupport_curl_load() { return .retry(after: nil, error: "email: \(String(cString: problem))") }
        guard let handle = csupport_curl_easy_init() else { return .retry(after: nil, error: "email: libcurl could not start") }
        defer { csupport_curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        defer { csupport_curl_slist_free_all(recipients) }
        for address in to { recipients = csupport_curl_slist_append(recipients, "<\(address.address)>") }
        let source = MessageSource(Array(message.utf8))
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            csupport_curl_setopt_ptr(handle, CURLOPT_URL, url)
            csupport_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
            csupport_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            csupport_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
            csupport_curl_setopt_long(handle, CURLOPT_TIMEOUT, 25)
            csupport_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_SMTP | CURLPROTO_SMTPS))
            // Never send the password in the clear: STARTTLS or nothing.
            csupport_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
            if let caFile { csupport_curl_setopt_ptr(handle, CURLOPT_CAINFO, caFile) }
            if let username { csupport_curl_setopt_ptr(handle, CURLOPT_USERNAME, username) }
            if let password { csupport_curl_setopt_ptr(handle, CURLOPT_PASSWORD, password) }
            csupport_curl_setopt_ptr(handle, CURLOPT_MAIL_FROM, "<\(from.address)>")
            csupport_curl_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipients)
            csupport_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            csupport_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(source.bytes.count))
            csupport_curl_setopt_read(handle, readMessage)
            csupport_curl_setopt_ptr(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
            return csupport_curl_easy_perform(handle)
        }
        withExtendedLifetime(source) {}
        guard code != CURLE_OK else { return .delivered }
        var reply = 0
        csupport_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let error = "SMTP: " + (detail.isEmpty ? String(cString: csupport_curl_easy_strerror(code)) : detail)
            + (reply >= 400 ? " (the server answered \(reply))" : "")
        return Self.classify(code, reply: reply, error: error)
    }

    /// A 4xx reply is temporary and a 5xx one final, as SMTP defines them; without a reply, what
    /// only the settings can fix (the password, TLS, the URL) is final and the rest is retried.
    static func classify(_ code: CURLcode, reply: Int, error: String) -> DeliveryAttempt {
        switch reply {
        case 400..<500: return .retry(after: nil, error: error)
        case 500..<600: return .rejected(error)
        default: break
        }
        switch code {
        case CURLE_LOGIN_DENIED, CURLE_USE_SSL_FAILED, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_AUTH_ERROR:
            return .rejected(error)
        default:
            return .retry(after: nil, error: error)
        }
    }
}

/// The message for the C read callback, which reaches it through a raw pointer.
private final class MessageSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func readMessage(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<MessageSource>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, source.bytes.count - source.offset)
    guard length > 0 else { return 0 }
    source.bytes.withUnsafeBufferPointer { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
