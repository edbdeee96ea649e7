import CCurl
import CSupport

/// The certificates a TLS server presents, through libcurl's certinfo: connect, handshake, read
/// the chain, hang up. The chain is not verified, so an expired or self-signed one is still read.
enum TLSEndpoint {
    /// `host:port` or `[v6]:port` → the PEM of each certificate, leaf first.
    static func certificates(_ endpoint: String, timeout: Int) throws(TransportError) -> [String] {
        let url = "https://\(endpoint)/"
        if let problem = csupport_curl_load() { throw TransportError(url: endpoint, message: String(cString: problem)) }
        guard let handle = csupport_curl_easy_init() else { throw TransportError(url: endpoint, message: "libcurl could not start") }
        defer { csupport_curl_easy_cleanup(handle) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            csupport_curl_setopt_ptr(handle, CURLOPT_URL, url)
            csupport_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
            csupport_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            csupport_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, timeout)
            csupport_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeout)
            csupport_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTPS))
            csupport_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
            csupport_curl_setopt_long(handle, CURLOPT_CERTINFO, 1)
            csupport_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            csupport_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
            return csupport_curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TransportError(url: endpoint, message: detail.isEmpty ? String(cString: csupport_curl_easy_strerror(code)) : detail)
        }
        var raw: UnsafeMutableRawPointer?
        guard csupport_curl_getinfo_ptr(handle, CURLINFO_CERTINFO, &raw) == CURLE_OK, let raw else {
            throw TransportError(url: endpoint, message: "libcurl gave no certificate information")
        }
        let info = raw.assumingMemoryBound(to: curl_certinfo.self).pointee
        var pems: [String] = []
        for index in 0..<Int(max(0, min(info.num_of_certs, 32))) {
            var entry = info.certinfo?[index]
            while let item = entry {
                if let data = item.pointee.data {
                    let text = String(cString: data)
                    if text.hasPrefix("Cert:") { pems.append(String(text.dropFirst(5))) }
                }
                entry = item.pointee.next
            }
        }
        guard !pems.isEmpty else { throw TransportError(url: endpoint, message: "the server presented no certificate (or libcurl's TLS library does not share it)") }
        return pems
    }
}
