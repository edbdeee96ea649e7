import Foundation
import Shared
@testable import Sender
import Testing
import TestSupport

/// Certificates made here with openssl: valid for 90 days, expiring in 5, and expired in 2025.
@Suite struct CertificateTests {
    /// A directory of fresh certificates: `valid.pem`, `soon.pem`, `expired.pem`, `chain.pem`
    /// (valid then soon) and their keys.
    static func makeCertificates() async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func openssl(_ arguments: [String]) async throws {
            let outcome = try await runCommand("/usr/bin/openssl", arguments)
            try #require(outcome.status == 0, "openssl \(arguments.joined(separator: " ")): \(outcome.stderr)")
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for (name, days) in [("valid", "90"), ("soon", "5")] {
            try await openssl(["req", "-x509"] + key + ["-keyout", directory.appendingPathComponent("\(name).key").path,
                "-out", directory.appendingPathComponent("\(name).pem").path, "-subj", "/CN=\(name).example", "-days", days])
        }
        // `req -days` takes no past; `ca` sets both dates.
        let path = directory.path
        // `ca` also writes a copy of each certificate it signs into new_certs_dir: not among the .pem files.
        try FileManager.default.createDirectory(atPath: "\(path)/ca", withIntermediateDirectories: true)
        try "".write(toFile: "\(path)/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: "\(path)/serial", atomically: true, encoding: .utf8)
        try "[ca]\ndefault_ca = d\n[d]\ndatabase = \(path)/index.txt\nnew_certs_dir = \(path)/ca\nserial = \(path)/serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n"
            .write(toFile: "\(path)/ca.cnf", atomically: true, encoding: .utf8)
        try await openssl(["req", "-new"] + key + ["-keyout", "\(path)/expired.key", "-out", "\(path)/expired.csr", "-subj", "/CN=expired.example"])
        try await openssl(["ca", "-batch", "-config", "\(path)/ca.cnf", "-selfsign", "-keyfile", "\(path)/expired.key", "-in", "\(path)/expired.csr",
                           "-out", "\(path)/expired.pem", "-startdate", "20250101000000Z", "-enddate", "20250201000000Z"])
        let chain = try String(contentsOfFile: "\(path)/valid.pem", encoding: .utf8) + String(contentsOfFile: "\(path)/soon.pem", encoding: .utf8)
        try chain.write(toFile: "\(path)/chain.pem", atomically: true, encoding: .utf8)
        return directory
    }

    /// `state`: the state directory, which keeps what endpoints presented; nil: a fresh one.
    static func collect(_ arguments: [String], state: URL? = nil) async throws -> [Observation] {
        let directory = state ?? FileManager.default.temporaryDirectory.appendingPathComponent("cert-state-\(UUID().uuidString.prefix(8))")
        defer { if state == nil { try? FileManager.default.removeItem(at: directory) } }
        let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "cert", "--state-dir", directory.path] + arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
    }

    @Test func daysLeftOfValidSoonAndExpiredCertificates() async throws {
        let directory = try await Self.makeCertificates()
        defer { try? FileManager.default.removeItem(at: directory) }
        let observations = try await Self.collect(["--tls-file", directory.path + "/*.pem"])
        let byName = Dictionary(uniqueKeysWithValues: observations.map { ($0.name, $0) })
        #expect(observations.count == 4, "\(observations.map(\.name))")
        let valid = try #require(byName["cert:\(directory.path)/valid.pem"])
        #expect(valid.kind == "cert")
        #expect((89.9...90).contains(valid.value ?? 0), "\(valid.value ?? -1)")
        #expect(valid.details?["commonName"] == .string("valid.example"))
        #expect((4.9...5).contains(byName["cert:\(directory.path)/soon.pem"]?.value ?? 0))
        let expired = try #require(byName["cert:\(directory.path)/expired.pem"])
        #expect((expired.value ?? 0) < -300)
        #expect(expired.details?["notAfter"] == .string("2025-02-01T00:00:00Z"))
        // A chain counts by its first certificate to expire.
        let chain = try #require(byName["cert:\(directory.path)/chain.pem"])
        #expect((4.9...5).contains(chain.value ?? 0))
        #expect(chain.details?["certificates"] == .number(2))
    }

    @Test func readsTheDERForm() async throws {
        let directory = try await Self.makeCertificates()
        defer { try? FileManager.default.removeItem(at: directory) }
        let der = directory.appendingPathComponent("soon.der")
        let outcome = try await runCommand("/usr/bin/openssl", ["x509", "-in", directory.path + "/soon.pem", "-outform", "DER", "-out", der.path])
        try #require(outcome.status == 0)
        let info = try Certificate.parse(Array(try Data(contentsOf: der)))
        #expect(info.first?.commonName == "soon.example")
    }

    @Test func damagedInputIsAnErrorNeverACrash() async throws {
        let directory = try await Self.makeCertificates()
        defer { try? FileManager.default.removeItem(at: directory) }
        let der = try #require(Data(base64Encoded: try String(contentsOfFile: directory.path + "/valid.pem", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        // Every truncation of a real certificate, and some flipped length bytes.
        for length in 0..<der.count {
            #expect(throws: CertificateError.self) { try Certificate.parseDER(Array(der.prefix(length))) }
        }
        for index in [1, 2, 3, 5, 6, 7] {
            var bytes = Array(der)
            bytes[index] = 0xFF
            _ = try? Certificate.parseDER(bytes)
        }
        #expect(throws: CertificateError.self) { try Certificate.parse(Array("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n".utf8)) }
        #expect(throws: CertificateError.self) { try Certificate.parse(Array("hello".utf8)) }
        #expect(throws: CertificateError.self) { try Certificate.parse(Array("-----BEGIN CERTIFICATE-----\nMIIB".utf8)) }
    }

    @Test func readsUTCTimeAndGeneralizedTime() {
        #expect(Certificate.time(tag: 0x17, Array("250201000000Z".utf8)[...]) == Date(timeIntervalSince1970: 1_738_368_000))
        #expect(Certificate.time(tag: 0x18, Array("20491231235959Z".utf8)[...]) == Date(timeIntervalSince1970: 2_524_607_999))
        #expect(Certificate.time(tag: 0x17, Array("991301000000Z".utf8)[...]) == nil)
        #expect(Certificate.time(tag: 0x17, Array("2502010000Z".utf8)[...]) == nil)
    }

    @Test func writesTimesAsISO8601() {
        for seconds in [0, 1_738_368_000, 2_524_607_999, 951_782_400, 4_107_542_400, 1_709_164_800 + 3661] {
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(Certificate.iso8601(date) == date.formatted(.iso8601), "\(seconds)")
        }
    }

    @Test func unreadableAndMissingFilesAreErrorObservations() async throws {
        let observations = try await Self.collect(["--tls-file", "/nonexistent/*.pem", "--tls-file", "/etc/hostname"])
        try #require(observations.map(\.status) == ["error", "error"])
        #expect(observations[0].error?.contains("no file matches") == true)
        #expect(observations[1].error?.contains("no PEM certificate") == true)
    }

    @Test func badEndpointsAreRefusedBeforeCollecting() async throws {
        for bad in ["example.com", "example.com:0", "exa mple.com:443", "example.com:443/path", "a:b"] {
            let outcome = try await SenderBinary.run(["collect", "--dry-run", "--collector", "cert", "--tls-endpoint", bad])
            #expect(outcome.status == 2, "\(bad)")
            #expect(outcome.stderr.contains("host:port"), "\(outcome.stderr)")
        }
    }

    /// A real TLS server (openssl s_server) presenting the soon-expiring certificate.
    @Test func readsAnEndpointsCertificate() async throws {
        let directory = try await Self.makeCertificates()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try Self.freePort()
        let server = try Daemon(["/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", directory.path + "/soon.pem",
                                 "-key", directory.path + "/soon.key", "-naccept", "10", "-quiet"])
        defer { server.stop() }
        var observations: [Observation] = []
        // s_server needs a moment to listen; a refused connection is retried, not timed.
        for _ in 0..<100 {
            observations = try await Self.collect(["--tls-endpoint", "127.0.0.1:\(port)"])
            if observations.first?.status != "error" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let endpoint = try #require(observations.first)
        #expect(endpoint.name == "cert:127.0.0.1:\(port)")
        #expect((4.9...5).contains(endpoint.value ?? 0), "\(endpoint.error ?? "")")
        #expect(endpoint.details?["commonName"] == .string("soon.example"))
    }

    /// Named twice, it is one check.
    @Test func aClosedPortIsAnErrorObservation() async throws {
        let port = try Self.freePort()
        let observations = try await Self.collect(["--tls-endpoint", "127.0.0.1:\(port)", "--tls-endpoint", "127.0.0.1:\(port)"])
        #expect(observations.count == 1)
        #expect(observations.first?.status == "error")
        #expect(observations.first?.error?.contains("127.0.0.1:\(port)") == true)
    }

    /// Without a usable libcurl (here one that lacks every function), each endpoint is an error
    /// that says so, and naming one twice is no crash.
    @Test func noLibcurlIsAnErrorObservation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-curl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "int nothing;\n".write(to: directory.appendingPathComponent("empty.c"), atomically: true, encoding: .utf8)
        let built = try await runCommand("/usr/bin/cc", ["-shared", "-fPIC", "-o", directory.appendingPathComponent("libcurl.so.4").path,
                                                         directory.appendingPathComponent("empty.c").path])
        try #require(built.status == 0, "cc: \(built.stderr)")
        let outcome = try await SenderBinary.run(
            ["collect", "--dry-run", "--collector", "cert", "--state-dir", directory.path + "/state", "--tls-endpoint", "127.0.0.1:9", "--tls-endpoint", "127.0.0.1:9"],
            environment: ["LD_LIBRARY_PATH": directory.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let observations = try Report.makeDecoder().decode(Report.self, from: Data(outcome.stdout.utf8)).observations
        #expect(observations.map(\.name) == ["cert:127.0.0.1:9"])
        #expect(observations.first?.error?.contains("libcurl lacks curl_global_init") == true, "\(observations)")
    }

    /// A port where nobody listens.
    static func freePort() throws -> Int {
        let socket = try LoopbackSocket()
        socket.close()
        return socket.port
    }
}
