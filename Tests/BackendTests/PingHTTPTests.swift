import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Shared
import Testing
@testable import Backend

/// Healthchecks' documented ping forms, replayed against our routes: the same status codes and
/// bodies, and the state changes they cause.
@Suite struct PingHTTPTests {
    typealias H = IngestHTTPTests

    static func makeHeartbeat(_ h: IngestHTTPTests.Harness, _ client: some TestClientProtocol, name: String = "backup-db") async throws -> String {
        var pingID = ""
        try await client.execute(uri: "/api/v1/heartbeats", method: .post, headers: H.bearer(h.allToken),
                                 body: ByteBuffer(string: #"{"host": "web-1", "name": "\#(name)", "every": "1d", "grace": "1h"}"#)) { response in
            #expect(response.status == .created)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            pingID = object["pingId"] as? String ?? ""
            #expect(object["pingURL"] as? String == "/ping/\(pingID)")
            #expect(object["slug"] as? String == "backup-db")
        }
        return pingID
    }

    static func expect(_ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, body: String? = nil,
                       _ status: HTTPResponse.Status, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await client.execute(uri: uri, method: method, headers: [:], body: body.map { ByteBuffer(string: $0) }) { response in
            #expect(response.status == status, "\(method) \(uri)", sourceLocation: sourceLocation)
            #expect(String(buffer: response.body) == (method == .head ? "" : text), "\(method) \(uri)", sourceLocation: sourceLocation)
            #expect(response.headers[.accessControlAllowOrigin] == "*", sourceLocation: sourceLocation)
        }
    }

    static func check(_ h: IngestHTTPTests.Harness, _ name: String = "backup-db") async throws -> CheckRecord? {
        try await h.store.checks(host: "web-1", state: nil).first { $0.name == name }
    }

    @Test func uuidFormsAnswerAsHealthchecksDoes() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                let id = try await Self.makeHeartbeat(h, client)
                #expect(try await Self.check(h)?.state == .ok)
                for method in [HTTPRequest.Method.get, .head, .post] { try await Self.expect(client, "/ping/\(id)", method: method, .ok, "OK") }
                try await Self.expect(client, "/ping/\(id.uppercased())", .ok, "OK")
                try await Self.expect(client, "/ping/\(id)/start", .ok, "OK")
                try await Self.expect(client, "/ping/\(id)/log", method: .post, body: "progress 50%", .ok, "OK")
                try await Self.expect(client, "/ping/\(id)/0", .ok, "OK")
                try await Self.expect(client, "/ping/\(id)/255", .ok, "OK")
                try await Self.expect(client, "/ping/\(id)/256", .badRequest, "invalid url format")
                try await Self.expect(client, "/ping/\(id)/bogus", .notFound, "not found")
                try await Self.expect(client, "/ping/\(id)?rid=not-a-uuid", .badRequest, "invalid uuid format")
                try await Self.expect(client, "/ping/\(UUID().uuidString.lowercased())", .notFound, "not found")
                try await client.execute(uri: "/ping/\(id)", method: .get) { response in
                    #expect(response.headers[HTTPField.Name("Ping-Body-Limit")!] == "100000")
                }
            }
        }
    }

    @Test func pingsFlipTheCheckAndKeepTheirBodies() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                let id = try await Self.makeHeartbeat(h, client)
                try await Self.expect(client, "/ping/\(id)/fail", method: .post, body: "disk full", .ok, "OK")
                #expect(try await Self.check(h)?.state == .alert)
                #expect(try await Self.check(h)?.error == "failure signalled")
                try await Self.expect(client, "/ping/\(id)/log", .ok, "OK")
                #expect(try await Self.check(h)?.state == .alert)  // a log changes nothing
                let rid = UUID().uuidString
                try await Self.expect(client, "/ping/\(id)/start?rid=\(rid)", .ok, "OK")
                try await Task.sleep(for: .milliseconds(50))
                try await Self.expect(client, "/ping/\(id)?rid=\(rid)", method: .post, body: String(repeating: "x", count: 150_000), .ok, "OK")
                let done = try #require(try await Self.check(h))
                #expect(done.state == .ok)
                #expect((done.value ?? 0) >= 0.05 && done.unit == "s")  // the run's duration
                try await Self.expect(client, "/ping/\(id)/3", .ok, "OK")
                #expect(try await Self.check(h)?.error == "exit status 3")
                let pings = try await h.store.pings(host: "web-1", check: "backup-db", limit: 10)
                #expect(pings.map(\.kind) == [.fail, .success, .start, .log, .fail])
                #expect(pings[1].body?.utf8.count == 100_000)  // cut at the limit, as Healthchecks does
                #expect(pings[1].rid == rid && (pings[1].duration ?? 0) >= 0.05)
                #expect(pings[4].body == "disk full" && pings[4].method == "POST")
            }
        }
    }

    @Test func slugFormsCreateOnDemandAndRefuseAmbiguity() async throws {
        try await H.withHarness { h in
            let key = PingKey.generate()
            try await h.store.createPingKey(host: "web-1", hash: TokenHash.of(key), now: Date())
            try await h.app.test(.router) { client in
                _ = try await Self.makeHeartbeat(h, client)
                try await Self.expect(client, "/ping/\(key)/backup-db", .ok, "OK")
                try await Self.expect(client, "/ping/\(key)/backup-db/fail", .ok, "OK")
                try await Self.expect(client, "/ping/\(key)/backup-db/1", .ok, "OK")
                try await Self.expect(client, "/ping/\(key)/Backup-DB", .badRequest, "invalid url format")
                try await Self.expect(client, "/ping/\(key)/nightly", .notFound, "not found")
                try await Self.expect(client, "/ping/\(key)/nightly?create=1", .created, "Created")
                try await Self.expect(client, "/ping/\(key)/nightly?create=1", .ok, "OK")
                #expect(try await Self.check(h, "nightly")?.kind == .heartbeat)
                try await Self.expect(client, "/ping/wrong-key-000000000000/nightly?create=1", .notFound, "not found")
                // "Backup DB" has the slug backup-db too: which one is meant?
                _ = try await Self.makeHeartbeat(h, client, name: "Backup DB")
                try await Self.expect(client, "/ping/\(key)/backup-db", .conflict, "ambiguous slug")
            }
        }
    }

    @Test func aNewHeartbeatWaitsForItsFirstPing() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                _ = try await Self.makeHeartbeat(h, client)
            }
            let check = try #require(try await Self.check(h))
            #expect(Rules.evaluate(check, samples: [], now: Date().addingTimeInterval(10 * 86400)) == .ok("waiting for the first ping"))
            let wakes = try await h.domain.alerting.wakeTimes(now: Date())
            #expect(wakes.count == 1)
            #expect(wakes.allSatisfy { $0.at > Date().addingTimeInterval(86400 * 365) })
        }
    }
}

extension PingHTTPTests {
    @Test func aHeartbeatMayRunOnACronScheduleInATimeZone() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                for (body, field) in [(#"{"host": "web-1", "name": "nightly", "cron": "0 25 * * *"}"#, "cron"),
                                      (#"{"host": "web-1", "name": "nightly", "cron": "0 3 * * *", "timezone": "Mars/Base"}"#, "timezone"),
                                      (#"{"host": "web-1", "name": "nightly", "every": "soon"}"#, "every"),
                                      (#"{"host": "web-1", "name": "host"}"#, "name")] {
                    try await client.execute(uri: "/api/v1/heartbeats", method: .post, headers: H.bearer(h.allToken), body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .badRequest)
                        #expect(String(buffer: response.body).contains(#""field":"\#(field)""#), "\(body)")
                    }
                }
                try await client.execute(uri: "/api/v1/heartbeats", method: .post, headers: H.bearer(h.allToken),
                                         body: ByteBuffer(string: #"{"host": "web-1", "name": "nightly", "cron": "0 3 * * *", "timezone": "Europe/Berlin", "grace": "1h"}"#)) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(uri: "/api/v1/heartbeats", method: .post, headers: H.bearer(h.hostToken),
                                         body: ByteBuffer(string: #"{"host": "web-1", "name": "x"}"#)) { response in
                    #expect(response.status == .forbidden)
                }
            }
            let nightly = try #require(try await Self.check(h, "nightly"))
            #expect(nightly.cron == "0 3 * * *" && nightly.timezone == "Europe/Berlin" && nightly.grace == 3600)
        }
    }
}

extension PingHTTPTests {
    @Test func uptimeKumaPushAndTheOriginalHeartbeat() async throws {
        try await H.withHarness { h in
            try await h.app.test(.router) { client in
                let id = try await Self.makeHeartbeat(h, client)
                try await client.execute(uri: "/api/push/\(id)?status=down&msg=backup%20failed&ping=", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"ok":true}"#)
                }
                #expect(try await Self.check(h)?.state == .alert)
                #expect(try await Self.check(h)?.error == "backup failed")
                try await client.execute(uri: "/api/push/\(id)?status=up&msg=OK&ping=250", method: .get) { response in
                    #expect(response.status == .ok)
                }
                let check = try #require(try await Self.check(h))
                #expect(check.state == .ok && check.value == 0.25)
                try await client.execute(uri: "/api/push/nope", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(String(buffer: response.body) == #"{"msg":"Monitor not found or not active.","ok":false}"#)
                }
                try await Self.expect(client, "/hb/\(id)", .ok, "OK")
                try await Self.expect(client, "/hb/nope", .notFound, "not found")
            }
            #expect(try await h.store.pings(host: "web-1", check: "backup-db", limit: 10).count == 3)
        }
    }
}
