import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Shared
@testable import Sender
import Testing
import TestSupport

/// TLS endpoints share one budget within collection's deadline, and what they presented is kept
/// in the state directory: servers that never answer (sockets that listen and never accept) must
/// not cost the run its report, and the next run reads the cache.
@Suite struct CertEndpointBudgetTests {
    /// Sockets that complete connections in the kernel and never say a word.
    static func silentServers(_ count: Int) throws -> [LoopbackSocket] {
        try (0..<count).map { _ in
            let socket = try LoopbackSocket()
            try #require(listen(socket.fd, 4) == 0)
            return socket
        }
    }

    static func stateDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cert-budget-\(UUID().uuidString.prefix(8))")
    }

    /// `openssl s_server` presenting the certificate that expires in 5 days, once it listens.
    static func tlsServer(_ certificates: URL) async throws -> (Daemon, Int) {
        let port = try CertificateTests.freePort()
        let server = try Daemon(["/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificates.path + "/soon.pem",
                                 "-key", certificates.path + "/soon.key", "-naccept", "10", "-quiet"])
        // It needs a moment to listen; a refused connection is retried, not timed.
        for _ in 0..<100 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(socket)
            if connected { return (server, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        try #require(Bool(false), "openssl s_server never listened on \(port)")
        return (server, port)
    }

    static func byName(_ observations: [Observation]) -> [String: Observation] {
        Dictionary(observations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// One good server and nine silent ones, eight read at a time: the first run ends at its
    /// deadline (half of a 6 s run limit) with the good certificate read, eight silent servers
    /// timed out and the ninth not read; the next run answers the good one from the cache (its
    /// server is gone by then), reads the ninth first and tries the failed ones again.
    @Test func silentEndpointsShareOneBudgetAndTheNextRunReadsTheCache() async throws {
        let certificates = try await CertificateTests.makeCertificates()
        let state = Self.stateDirectory()
        defer { [certificates, state].forEach { try? FileManager.default.removeItem(at: $0) } }
        let (server, good) = try await Self.tlsServer(certificates)
        defer { server.stop() }
        let silent = try Self.silentServers(9)
        defer { silent.forEach { $0.close() } }
        let arguments = ["--run-limit", "6s", "--tls-endpoint", "127.0.0.1:\(good)"] + silent.flatMap { ["--tls-endpoint", "127.0.0.1:\($0.port)"] }

        let started = Date()
        let first = Self.byName(try await CertificateTests.collect(arguments, state: state))
        let elapsed = Date().timeIntervalSince(started)
        // About 3 s; a bound far above it holds on a busy machine and still catches reading the
        // nine silent servers one after another, 5 s each.
        #expect(elapsed < 20, "collection must end by its deadline; it took \(elapsed) s")
        try #require(first.count == 10, "\(first.keys.sorted())")
        let read = try #require(first["cert:127.0.0.1:\(good)"])
        #expect((4.9...5).contains(read.value ?? 0), "\(read.error ?? "")")
        #expect(read.details?["probedAt"] != nil)
        for socket in silent.prefix(8) {
            let observation = first["cert:127.0.0.1:\(socket.port)"]
            #expect(observation?.status == "error")
            #expect(observation?.error?.contains("not probed") == false, "\(observation?.error ?? "")")
        }
        let last = try #require(silent.last)
        #expect(first["cert:127.0.0.1:\(last.port)"]?.error?.contains("not probed: collection budget spent") == true)

        server.stop()
        let second = Self.byName(try await CertificateTests.collect(arguments, state: state))
        // Read an hour ago at most: what it presented then, though nobody listens there now.
        #expect(second["cert:127.0.0.1:\(good)"]?.value == read.value)
        #expect(second["cert:127.0.0.1:\(good)"]?.details?["probedAt"] == read.details?["probedAt"])
        // A failure is tried again. The server without a turn goes first; the last of those tried
        // before waits instead.
        #expect(second["cert:127.0.0.1:\(last.port)"]?.error?.contains("not probed") == false)
        for socket in silent.prefix(7) {
            #expect(second["cert:127.0.0.1:\(socket.port)"]?.error?.contains("not probed") == false)
        }
        #expect(second["cert:127.0.0.1:\(silent[7].port)"]?.error?.contains("not probed: collection budget spent") == true)
    }

    /// An endpoint due for reading again whose turn does not come within the budget reports what it
    /// presented when last read: here a closed port, so reading it would have been an error.
    @Test func aStaleEndpointWithoutATurnReportsWhatItLastPresented() async throws {
        let state = Self.stateDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let closed = "127.0.0.1:\(try CertificateTests.freePort())"
        let now = Date().timeIntervalSince1970
        var entry = EndpointCache.Entry(attemptedAt: now)
        entry.read(CertificateSummary(notAfter: Date(timeIntervalSince1970: now + 5 * 86400 + 3600), commonName: "cached.example", certificates: 2), at: now - 7200)
        try #require(StateFile<EndpointCache>(directory: state.path, name: EndpointCache.fileName).save(EndpointCache(entries: [closed: entry])) == nil)
        let silent = try Self.silentServers(8)
        defer { silent.forEach { $0.close() } }

        let observations = Self.byName(try await CertificateTests.collect(
            ["--run-limit", "5s", "--tls-endpoint", closed] + silent.flatMap { ["--tls-endpoint", "127.0.0.1:\($0.port)"] }, state: state))
        let cached = try #require(observations["cert:\(closed)"])
        #expect((4.9...5.1).contains(cached.value ?? 0), "\(cached.error ?? "")")
        #expect(cached.details?["commonName"] == .string("cached.example"))
        #expect(cached.details?["probedAt"] == .string(Certificate.iso8601(Date(timeIntervalSince1970: now - 7200))))
        #expect(silent.allSatisfy { observations["cert:127.0.0.1:\($0.port)"]?.status == "error" })
    }

    /// A state file with a time no certificate has (written by hand, or damaged) is no crash: the
    /// endpoint is read again.
    @Test func aDamagedCacheIsReadAgainNotTrustedNorACrash() async throws {
        let state = Self.stateDirectory()
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: state) }
        let closed = "127.0.0.1:\(try CertificateTests.freePort())"
        let now = Date().timeIntervalSince1970
        try #"{"\#(closed)": {"attemptedAt": \#(now), "probedAt": \#(now), "notAfter": 1e300, "certificates": 1}}"#
            .write(to: state.appendingPathComponent(EndpointCache.fileName), atomically: true, encoding: .utf8)
        let observations = try await CertificateTests.collect(["--tls-endpoint", closed], state: state)
        #expect(observations.map(\.name) == ["cert:\(closed)"])
        #expect(observations.first?.error?.contains("cannot read the certificate of \(closed)") == true, "\(observations)")
    }

    /// An entry read recently but holding no certificate is read again, not reported as "not
    /// probed" for an hour; a certificate that never expires (9999-12-31) stays cached.
    @Test func theCacheRereadsWhatItCannotUseAndKeepsNoExpiry() throws {
        let now = 1_800_000_000.0
        var forever = EndpointCache.Entry(attemptedAt: now)
        forever.read(CertificateSummary(notAfter: Date(timeIntervalSince1970: 253_402_300_799), commonName: nil, certificates: 1), at: now)
        let hollow = EndpointCache.Entry(attemptedAt: now, probedAt: now)
        let cache = try #require(EndpointCache(stateText: EndpointCache(entries: ["a:443": forever, "b:443": hollow]).stateText))
        #expect(cache.entries["a:443"] == forever)
        #expect(cache.due(["a:443", "b:443"], now: now + 60, every: 3600) == ["b:443"])
    }
}
