import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Testing
@testable import Backend

/// The ingest routes over HTTP, in-process, on the embedded store: every status code they answer.
@Suite struct IngestHTTPTests {
    /// A backend on a fresh SQLite file with a token for web-1 and a token for all hosts.
    struct Harness {
        var store: any Store
        var journal: any JournalStore
        var hostToken: String
        var allToken: String
        var config: BackendConfig
        var domain: Domain

        var app: some ApplicationProtocol { Application(router: buildRouter(domain: domain, journal: journal, config: config)) }
    }

    static func withHarness(_ adjust: @Sendable (inout BackendConfig) -> Void = { _ in }, _ body: @escaping @Sendable (Harness) async throws -> Void) async throws {
        var (config, cleanup) = try await TestStores.config(.sqlite)
        adjust(&config)
        let final = config
        do {
            try await withStores(final, logger: TestStores.logger) { stores in
                try await stores.migrate()
                let store = stores.store
                let host = TokenHash.generate(), all = TokenHash.generate()
                _ = try await store.createToken(NewToken(hash: TokenHash.of(host), prefix: TokenHash.prefix(of: host), host: "web-1", createdAt: Date()))
                _ = try await store.createToken(NewToken(hash: TokenHash.of(all), prefix: TokenHash.prefix(of: all), createdAt: Date()))
                try await body(Harness(store: store, journal: stores.journal, hostToken: host, allToken: all, config: final,
                                       domain: Domain(store: store, config: final, logger: TestStores.logger)))
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    static func json(_ report: Report) throws -> ByteBuffer {
        ByteBuffer(data: try Report.makeEncoder().encode(report))
    }

    static func error(_ response: TestResponse) -> (error: String, field: String?) {
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
        return (object?["error"] as? String ?? "", object?["field"] as? String)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    @Test func aValidReportIsStoredAndAcknowledged() async throws {
        try await Self.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(Reports.sample())) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"duplicate":false,"stored":2}"#)
                }
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(Reports.sample(sentAt: Date().addingTimeInterval(-1)))) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await h.store.checks(host: "web-1", state: nil).count == 5)
        }
    }

    @Test func aGzippedReportIsAccepted() async throws {
        try await Self.withHarness { h in
            let data = try Report.makeEncoder().encode(Reports.sample())
            let gzipped = try await Gzip.run(data)
            var gzipHeaders = Self.bearer(h.hostToken)
            gzipHeaders[.contentEncoding] = "gzip"
            let headers = gzipHeaders
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: headers, body: ByteBuffer(bytes: gzipped)) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await h.store.hosts().map(\.name) == ["web-1"])
        }
    }

    @Test func aRetryIsAcknowledgedAsADuplicate() async throws {
        try await Self.withHarness { h in
            let body = try Self.json(Reports.sample())
            try await h.app.test(.router) { client in
                _ = try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: body)
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: body) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"duplicate":true,"stored":0}"#)
                }
            }
            #expect(try await h.store.samples(host: "web-1", name: "memory", from: .distantPast, to: .distantFuture, limit: 10)?.count == 1)
        }
    }

    @Test func withoutAValidTokenTheAnswerIs401() async throws {
        try await Self.withHarness { h in
            let body = try Self.json(Reports.sample())
            try await h.app.test(.router) { client in
                for headers: HTTPFields in [[:], Self.bearer("mt_unknown"), [.authorization: "Basic dXNlcjpwYXNz"]] {
                    try await client.execute(uri: "/api/v1/report", method: .post, headers: headers, body: body) { response in
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(Self.error(response).error.contains("token"))
                    }
                }
            }
            #expect(try await h.store.hosts().isEmpty)
        }
    }

    @Test func aRevokedTokenIsRefused() async throws {
        try await Self.withHarness { h in
            let token = TokenHash.generate()
            let record = try await h.store.createToken(NewToken(hash: TokenHash.of(token), prefix: TokenHash.prefix(of: token), createdAt: Date()))
            _ = try await h.store.revokeToken(id: record.id, at: Date())
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(token), body: Self.json(Reports.sample())) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func aTokenScopedToAnotherHostGets403AndStoresNothing() async throws {
        try await Self.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(Reports.sample(host: "db-1"))) { response in
                    #expect(response.status == .forbidden)
                    #expect(Self.error(response).field == "host")
                }
                // A token for all hosts may report for any.
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.allToken), body: Self.json(Reports.sample(host: "db-1"))) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await h.store.hosts().map(\.name) == ["db-1"])
        }
    }

    @Test(arguments: [
        (#"{"version":1,"host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[{"name":"memory","kind":"toaster"}]}"#, "observations[0].kind"),
        (#"{"version":1,"host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[{"name":"","kind":"disk"}]}"#, "observations[0].name"),
        (#"{"version":1,"host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[{"name":"m","kind":"memory","value":"high"}]}"#, "observations[0].value"),
        (#"{"version":1,"host":"web-1","observations":[]}"#, "sentAt"),
        (#"{"version":1,"host":"web-1","sentAt":"yesterday","observations":[]}"#, "sentAt"),
        (#"{"version":1,"host":"web\u0007","sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "host"),
        (#"{"version":2,"host":"web-1","sentAt":"2026-11-22T12:00:00Z","observations":[]}"#, "version"),
        (#"{"version":1,"host":"web-1","sentAt":"1999-01-01T00:00:00Z","observations":[]}"#, "sentAt"),
    ])
    func anInvalidReportGets400NamingTheFieldAndStoresNothing(body: String, field: String) async throws {
        try await Self.withHarness { h in
            let now = ISO8601DateFormatter().string(from: Date())
            let text = body.replacingOccurrences(of: "2026-11-22T12:00:00Z", with: now)
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: ByteBuffer(string: text)) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.error(response).field == field)
                }
            }
            #expect(try await h.store.hosts().isEmpty)
        }
    }

    @Test func aReportWithOneBadObservationStoresNothingAtAll() async throws {
        try await Self.withHarness { h in
            var twice = Reports.sample()
            twice.observations.append(Observation(name: "memory", kind: .memory, value: 1))
            let report = twice
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(report)) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.error(response).field == "observations[4].name")
                }
            }
            #expect(try await h.store.hosts().isEmpty)
            #expect(try await h.store.checks(host: nil, state: nil).isEmpty)
        }
    }

    @Test func tooManyObservationsGet400() async throws {
        try await Self.withHarness({ $0.reportLimits.maxObservations = 10 }) { h in
            let report = Report(host: "web-1", sentAt: Date(), observations: (0..<11).map { Observation(name: "g\($0)", kind: .gauge, value: 1) })
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(report)) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.error(response).field == "observations")
                }
            }
        }
    }

    @Test func aNameOverTheLimitGets400() async throws {
        try await Self.withHarness { h in
            let report = Report(host: "web-1", sentAt: Date(), observations: [Observation(name: String(repeating: "x", count: 201), kind: .gauge, value: 1)])
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: Self.json(report)) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.error(response).field == "observations[0].name")
                }
            }
        }
    }

    @Test func aBodyOverTheLimitGets413PlainOrGzipped() async throws {
        try await Self.withHarness({ $0.maxReportBytes = 64 * 1024 }) { h in
            let big = ByteBuffer(bytes: Array(repeating: UInt8(ascii: " "), count: 64 * 1024 + 1))
            // 10 MiB of spaces inflate from a few KiB: the limit applies after inflating too.
            let bomb = try await Gzip.run(Data(repeating: UInt8(ascii: " "), count: 10 << 20))
            var headers = Self.bearer(h.hostToken)
            headers[.contentEncoding] = "gzip"
            let gzipHeaders = headers
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer(h.hostToken), body: big) { response in
                    #expect(response.status == .contentTooLarge)
                    #expect(Self.error(response).error.contains("larger than"))
                }
                try await client.execute(uri: "/api/v1/report", method: .post, headers: gzipHeaders, body: ByteBuffer(bytes: bomb)) { response in
                    #expect(response.status == .contentTooLarge)
                }
            }
        }
    }

    @Test func aBrokenOrUnknownEncodingIsRefused() async throws {
        try await Self.withHarness { h in
            var gzipped = Self.bearer(h.hostToken), compressed = Self.bearer(h.hostToken)
            gzipped[.contentEncoding] = "gzip"
            compressed[.contentEncoding] = "br"
            let gzip = gzipped, brotli = compressed
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, headers: gzip, body: ByteBuffer(string: "not gzip")) { response in
                    #expect(response.status == .badRequest)
                    #expect(Self.error(response).field == "Content-Encoding")
                }
                try await client.execute(uri: "/api/v1/report", method: .post, headers: brotli, body: Self.json(Reports.sample())) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
            }
        }
    }

    @Test func anonymousIngestNeedsTheSetting() async throws {
        try await Self.withHarness({ $0.allowAnonymousIngest = true }) { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/report", method: .post, body: Self.json(Reports.sample())) { response in
                    #expect(response.status == .ok)
                }
                // A presented token is still checked.
                try await client.execute(uri: "/api/v1/report", method: .post, headers: Self.bearer("mt_wrong"), body: Self.json(Reports.sample())) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }
}
