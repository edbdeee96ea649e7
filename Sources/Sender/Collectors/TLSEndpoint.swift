import CCurl
import CSupport

/// The certificates TLS servers present, through libcurl's certinfo: connect, handshake, read the
/// chain, hang up. The chain is not verified, so an expired or self-signed one is still read.
/// Several servers are asked at once (libcurl's multi interface, one thread), so one that never
/// answers costs the others nothing.
enum TLSEndpoint {
    /// The PEM of each certificate, leaf first, or why none could be read.
    typealias Outcome = Result<[String], TransportError>

    /// Asks each of `endpoints` (`host:port` or `[v6]:port`), in this order, at most `parallel` at
    /// a time, each within `timeout` seconds, all by `deadline` (`Clock`). An endpoint whose turn
    /// comes after the deadline has no outcome.
    static func certificates(_ endpoints: [String], timeout: Double, deadline: Double, parallel: Int = 8) -> [String: Outcome] {
        guard !endpoints.isEmpty else { return [:] }
        func failures(_ message: String) -> [String: Outcome] {
            Dictionary(endpoints.map { ($0, .failure(TransportError(url: $0, message: message))) }, uniquingKeysWith: { first, _ in first })
        }
        if let problem = csupport_curl_load() { return failures(String(cString: problem)) }
        guard let multi = csupport_curl_multi_init() else { return failures("libcurl could not start") }
        defer { csupport_curl_multi_cleanup(multi) }
        var outcomes: [String: Outcome] = [:]
        var waiting = endpoints[...]
        var running: [Probe] = []
        defer { running.forEach { $0.end(multi) } }
        while true {
            while running.count < parallel, let endpoint = waiting.first {
                // Less than a tenth of a second cannot hold a handshake: leave it for the next run.
                let left = min(timeout, deadline - Clock.now())
                guard left >= 0.1 else { break }
                waiting = waiting.dropFirst()
                if let probe = Probe(endpoint, timeout: left, multi: multi) { running.append(probe) } else {
                    outcomes[endpoint] = .failure(TransportError(url: endpoint, message: "libcurl could not start"))
                }
            }
            guard !running.isEmpty else { return outcomes }
            var active: Int32 = 0
            _ = csupport_curl_multi_perform(multi, &active)
            var handle: UnsafeMutableRawPointer?
            var result = CURLE_OK
            while csupport_curl_multi_done(multi, &handle, &result) == 1 {
                guard let index = running.firstIndex(where: { $0.handle == handle }) else { continue }
                let probe = running.remove(at: index)
                outcomes[probe.endpoint] = probe.outcome(result)
                probe.end(multi)
            }
            // Each transfer ends by its own timeout; this only guards against one that does not.
            if Clock.now() > deadline + 1 {
                for probe in running {
                    outcomes[probe.endpoint] = .failure(TransportError(url: probe.endpoint, message: "no answer by the collection's deadline"))
                }
                return outcomes
            }
            if !running.isEmpty { _ = csupport_curl_multi_wait(multi, 100) }
        }
    }

    /// One handshake in flight.
    private struct Probe {
        let endpoint: String
        let handle: UnsafeMutableRawPointer
        let errors: UnsafeMutablePointer<CChar>

        init?(_ endpoint: String, timeout: Double, multi: UnsafeMutableRawPointer) {
            guard let handle = csupport_curl_easy_init() else { return nil }
            let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
            errors.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
            (self.endpoint, self.handle, self.errors) = (endpoint, handle, errors)
            let milliseconds = Int(timeout * 1000)
            csupport_curl_setopt_ptr(handle, CURLOPT_URL, "https://\(endpoint)/")
            csupport_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errors)
            csupport_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            // Do not wait for a hung DNS lookup's thread when a transfer ends (libcurl 7.87+; older ones ignore it).
            csupport_curl_setopt_long(handle, CURLOPT_QUICK_EXIT, 1)
            csupport_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
            csupport_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds)
            csupport_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTPS))
            csupport_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
            csupport_curl_setopt_long(handle, CURLOPT_CERTINFO, 1)
            csupport_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            csupport_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
            guard csupport_curl_multi_add(multi, handle) == CURLM_OK else {
                csupport_curl_easy_cleanup(handle)
                errors.deallocate()
                return nil
            }
        }

        func end(_ multi: UnsafeMutableRawPointer) {
            _ = csupport_curl_multi_remove(multi, handle)
            csupport_curl_easy_cleanup(handle)
            errors.deallocate()
        }

        func outcome(_ code: CURLcode) -> Outcome {
            guard code == CURLE_OK else {
                let detail = String(cString: errors)
                return .failure(TransportError(url: endpoint, message: detail.isEmpty ? String(cString: csupport_curl_easy_strerror(code)) : detail))
            }
            var raw: UnsafeMutableRawPointer?
            guard csupport_curl_getinfo_ptr(handle, CURLINFO_CERTINFO, &raw) == CURLE_OK, let raw else {
                return .failure(TransportError(url: endpoint, message: "libcurl gave no certificate information"))
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
            guard !pems.isEmpty else {
                return .failure(TransportError(url: endpoint, message: "the server presented no certificate (or libcurl's TLS library does not share it)"))
            }
            return .success(pems)
        }
    }
}
