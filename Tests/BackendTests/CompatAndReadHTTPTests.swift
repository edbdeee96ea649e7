import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import TestSupport
import Testing
@testable import Backend

/// The original sender's `/metric`, the read API and the health routes, over HTTP in-process.
@Suite struct CompatAndReadHTTPTests {
    typealias H = IngestHTTPTests

    @Test func aLegacyPingBecomesAHeartbeatCheck() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/metric", method: .post, headers: H.bearer(h.hostToken),
                                         body: ByteBuffer(string: #"{"host":"web-1","name":"backup","type":"ping"}"#)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/metric?token=\(h.hostToken)", method: .post,
                                         body: ByteBuffer(string: #"{"host":"web-1","name":"nightly","type":"ping","value":"1440","timestamp":"1795000000"}"#)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/metric", method: .post, headers: H.bearer(h.hostToken),
                                         body: ByteBuffer(string: #"{"host":"web-1","name":"/var","type":"disk","value":"91","timestamp":"2026-11-22T10:00:00Z"}"#)) { response in
                    #expect(response.status == .ok)
                }
            }
            let checks = try await h.store.checks(host: "web-1", state: nil)
            let backup = try #require(checks.first { $0.name == "backup" })
            #expect(backup.kind == .heartbeat)
            #expect(backup.every == 5 * 60, "with no value, a ping alerts after 5 minutes")
            #expect(backup.grace == 0)
            let nightly = try #require(checks.first { $0.name == "nightly" })
            #expect(nightly.every == 1440 * 60)
            #expect(nightly.observedAt == Date(timeIntervalSince1970: 1_795_000_000))
            let disk = try #require(checks.first { $0.name == "disk:/var" })
            #expect(disk.value == 91)
            #expect(disk.kind == .disk)
        }
    }

    @Test(arguments: [
        (#"{"host":"web-1","name":"x","type":"cpu","value":"1"}"#, "type"),
        (#"{"host":"web-1","name":"x","value":"1"}"#, "type"),
        (#"{"name":"x","type":"ping"}"#, "host"),
        (#"{"host":"web-1","name":"x","type":"disk","value":"lots"}"#, "value"),
        (#"{"host":"web-1","name":"x","type":"disk"}"#, "value"),
        (#"{"host":"web-1","name":"x","type":"ping","value":"-5"}"#, "value"),
        (#"{"host":"web-1","name":"x","type":"ping","timestamp":"last tuesday"}"#, "timestamp"),
        (#"{"host":"web-1","name":"x","type":"ping","value":[1]}"#, "value"),
    ])
    func aBadLegacyMetricGets400NotA500(body: String, field: String) async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/metric", method: .post, headers: H.bearer(h.hostToken), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == field)
                }
            }
            #expect(try await h.store.hosts().isEmpty)
        }
    }

    @Test func legacyMetricsNeedATokenUnlessAnonymousIngestIsOn() async throws {
        let body = ByteBuffer(string: #"{"host":"web-1","name":"backup","type":"ping"}"#)
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/metric", method: .post, body: body) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/metric?token=mt_nope", method: .post, body: body) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
        try await H.withHarness({ $0.allowAnonymousIngest = true }) { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/metric", method: .post, body: body) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func theReadAPIListsHostsChecksAndSamples() async throws {
        try await H.withHarness { h in
            _ = try await h.domain.ingest.ingest(Reports.sample(sentAt: Date().addingTimeInterval(-30)), receivedAt: Date())
            let auth = H.bearer(h.allToken)
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/api/v1/hosts", method: .get, headers: auth) { response in
                    #expect(response.status == .ok)
                    let hosts = try Report.makeDecoder().decode([String: [HostRecord]].self, from: Data(buffer: response.body))
                    #expect(hosts["hosts"]?.map(\.name) == ["web-1"])
                }
                try await client.execute(uri: "/api/v1/checks?host=web-1&state=ok", method: .get, headers: auth) { response in
                    let checks = try Report.makeDecoder().decode([String: [CheckRecord]].self, from: Data(buffer: response.body))
                    #expect(checks["checks"]?.count == 4)
                }
                try await client.execute(uri: "/api/v1/checks?state=broken", method: .get, headers: auth) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "state")
                }
                // A name ending in a slash, raw or percent-encoded.
                for uri in ["/api/v1/checks/web-1/disk://samples", "/api/v1/checks/web-1/disk:%2F/samples"] {
                    try await client.execute(uri: uri, method: .get, headers: auth) { response in
                        #expect(response.status == .ok, "\(uri)")
                        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        #expect(body?["name"] as? String == "disk:/")
                        #expect((body?["samples"] as? [[String: Any]])?.first?["value"] as? Double == 71)
                    }
                }
                try await client.execute(uri: "/api/v1/checks/web-1/memory/samples?from=yesterday", method: .get, headers: auth) { response in
                    #expect(response.status == .badRequest)
                    #expect(H.error(response).field == "from")
                }
                try await client.execute(uri: "/api/v1/checks/web-1/nope/samples", method: .get, headers: auth) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/checks/web-1/raid:md0", method: .get, headers: auth) { response in
                    #expect(response.status == .ok)
                    let check = try Report.makeDecoder().decode(CheckRecord.self, from: Data(buffer: response.body))
                    #expect(check.status == "degraded")
                }
            }
        }
    }

    @Test func readingAndDeletingNeedATokenForAllHosts() async throws {
        try await H.withHarness { h in
            _ = try await h.domain.ingest.ingest(Reports.sample(), receivedAt: Date())
            try await h.app.test(.router) { client in
                for (uri, method) in [("/api/v1/hosts", HTTPRequest.Method.get), ("/api/v1/checks", .get), ("/api/v1/checks/web-1/memory", .delete)] {
                    try await client.execute(uri: uri, method: method) { response in
                        #expect(response.status == .unauthorized, "\(method) \(uri)")
                    }
                    try await client.execute(uri: uri, method: method, headers: H.bearer(h.hostToken)) { response in
                        #expect(response.status == .forbidden, "\(method) \(uri)")
                    }
                }
                try await client.execute(uri: "/api/v1/checks/web-1/memory", method: .delete, headers: H.bearer(h.allToken)) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/checks/web-1/memory", method: .delete, headers: H.bearer(h.allToken)) { response in
                    #expect(response.status == .notFound)
                }
            }
            #expect(try await h.store.checks(host: "web-1", state: nil).map(\.name) == ["backup-db", "disk:/", "host", "raid:md0"])
        }
    }

    @Test func healthAndReadiness() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("sqlite"))
                }
            }
            // With the database closed, the process is alive but not ready.
            await h.store.close()
            try await h.app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                }
            }
        }
    }
}
