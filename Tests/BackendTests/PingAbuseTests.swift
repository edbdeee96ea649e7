import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Synchronization
import Testing
@testable import Backend

/// What a leaked ping URL or ping key must not do: take over a sender's checks, hammer the
/// database, or be answered from a proxy's cache.
@Suite struct PingAbuseTests {
    typealias H = IngestHTTPTests
    typealias P = PingHTTPTests

    @Test func aPingKeyCannotTakeOverTheHostCheckOrASendersCheck() async throws {
        try await H.withHarness { h in
            let key = PingKey.generate()
            try await h.store.createPingKey(host: "web-1", hash: TokenHash.of(key), now: Date())
            _ = try await h.domain.ingest.ingest(Report(host: "web-1", sentAt: Date(), observations: [
                Observation(name: "backup", kind: .gauge, value: 3),
            ]), receivedAt: Date())
            try await h.app.test(.router) { client in
                for slug in ["host", "backup"] {
                    try await client.execute(uri: "/ping/\(key)/\(slug)?create=1", method: .get) { response in
                        #expect(response.status == .conflict, "\(slug)")
                    }
                }
                // The API refuses the same names.
                try await client.execute(uri: "/api/v1/heartbeats", method: .post, headers: H.bearer(h.allToken),
                                         body: ByteBuffer(string: #"{"host": "web-1", "name": "backup", "every": "1d"}"#)) { response in
                    #expect(response.status == .conflict)
                    #expect(H.error(response).field == "name")
                }
            }
            let checks = try await h.store.checks(host: "web-1", state: nil)
            #expect(checks.first { $0.name == "backup" }?.kind == .gauge)
            #expect(checks.first { $0.name == "host" }?.kind != .heartbeat)
            #expect(try await h.store.pings(host: "web-1", check: "host", limit: 10).isEmpty)
        }
    }

    @Test func pingsAreRateLimitedPerCheckAndNeverCached() async throws {
        let okCount = Mutex(0)
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                let first = try await P.makeHeartbeat(h, client)
                let second = try await h.store.ensureHeartbeat(HeartbeatSpec(host: "web-1", name: "other-job", slug: "other-job"), now: Date()).pingID
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<200 {
                    try await client.execute(uri: "/ping/\(first)", method: .get) { response in
                        statuses.append(response.status)
                        #expect(response.headers[.cacheControl] == "max-age=0, no-cache, no-store, must-revalidate, private")
                    }
                }
                // A burst of 30, then one a second: however slow this machine, most of 200 are refused.
                #expect(statuses.prefix(30).allSatisfy { $0 == .ok })
                #expect(statuses.filter { $0 == .tooManyRequests }.count >= 100)
                okCount.withLock { $0 = statuses.filter { $0 == .ok }.count }
                // Another check is not slowed by it.
                try await P.expect(client, "/ping/\(second)", .ok, "OK")
                try await client.execute(uri: "/api/push/\(second)?status=up", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == PingController<AppRequestContext>.noCache)
                }
            }
            // Only what the rate let through was stored.
            let kept = try await h.store.pings(host: "web-1", check: "backup-db", limit: 1000)
            #expect(kept.count == okCount.withLock { $0 })
        }
    }

    @Test func aReportPastTheHostsCheckLimitIsRefusedNamingIt() async throws {
        try await H.withHarness({ $0.checkLimit = CheckLimit(maxPerHost: 3) }) { h in
            try await h.app.test(.router) { client in
                let report = Report(host: "web-1", sentAt: Date(), observations: (0..<5).map { Observation(name: "made-up-\($0)", kind: .gauge, value: 1) })
                try await client.execute(uri: "/api/v1/report", method: .post, headers: H.bearer(h.hostToken), body: try H.json(report)) { response in
                    #expect(response.status == .unprocessableContent)
                    let answer = H.error(response)
                    #expect(answer.field == "observations")
                    #expect(answer.error.contains("limit is 3"))
                }
            }
            #expect(try await h.store.checks(host: "web-1", state: nil).isEmpty)
        }
    }

    /// A ping refused for the host's check limit is answered as pings are: text, never cached.
    @Test func aFirstPingPastTheCheckLimitIsRefusedAsAPing() async throws {
        try await H.withHarness({ $0.checkLimit = CheckLimit(maxPerHost: 1) }) { h in
            let key = PingKey.generate()
            try await h.store.createPingKey(host: "web-1", hash: TokenHash.of(key), now: Date())
            _ = try await h.domain.ingest.ingest(Report(host: "web-1", sentAt: Date(), observations: [Observation(name: "memory", kind: .memory, value: 1)]),
                                         receivedAt: Date())
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/ping/\(key)/nightly?create=1", method: .get) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                    #expect(response.headers[.cacheControl] == PingController<AppRequestContext>.noCache)
                    #expect(String(buffer: response.body).contains("MAX_CHECKS_PER_HOST"))
                }
            }
        }
    }
}
