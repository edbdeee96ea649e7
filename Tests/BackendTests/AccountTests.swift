import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
@testable import Backend

/// Accounts as users of a multi-user tool expect: roles, sessions that end when idle and at a
/// fixed end however used, "log out everywhere", and the `user` commands.
@Suite struct AccountTests {
    typealias P = PagesHTTPTests

    @Test(arguments: Engine.available)
    func usersLoseTheirSessionsWithTheirPasswordOrAccount(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let now = Reports.now()
            #expect(try await store.createUser(email: "a@example.com", passwordHash: "h1", role: .admin, now: now))
            #expect(try await store.createUser(email: "b@example.com", passwordHash: "h2", role: .viewer, now: now))
            #expect(try await store.users().map { "\($0.email) \($0.role)" } == ["a@example.com admin", "b@example.com viewer"])
            let a = try #require(try await store.user(email: "A@example.com"))
            let b = try #require(try await store.user(email: "b@example.com"))
            func session(_ id: String, _ user: UserRecord) async throws {
                try await store.createSession(SessionRecord(idHash: id, userID: user.id, email: user.email, csrfToken: "c", createdAt: now,
                                                            expiresAt: now.addingTimeInterval(600), endsAt: now.addingTimeInterval(6000)))
            }
            try await session("a1", a)
            try await session("a2", a)
            try await session("b1", b)
            #expect(try await store.session(idHash: "b1", now: now)?.role == .viewer)
            #expect(try await store.setPasswordHash(email: "a@example.com", passwordHash: "h3"))
            #expect(try await store.user(email: "a@example.com")?.passwordHash == "h3")
            #expect(try await store.session(idHash: "a1", now: now) == nil)
            #expect(try await store.session(idHash: "a2", now: now) == nil)
            #expect(try await store.session(idHash: "b1", now: now) != nil)
            #expect(try await store.deleteUser(email: "b@example.com"))
            #expect(try await store.session(idHash: "b1", now: now) == nil)
            #expect(try await store.users().map(\.email) == ["a@example.com"])
            #expect(try await !store.deleteUser(email: "b@example.com"))
            #expect(try await !store.setPasswordHash(email: "nobody@example.com", passwordHash: "x"))
        }
    }

    @Test(arguments: Engine.available)
    func aSessionEndsWhenIdleAndAtItsEndHoweverUsed(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let now = Reports.now()
            #expect(try await store.createUser(email: "a@example.com", passwordHash: "h", now: now))
            let user = try #require(try await store.user(email: "a@example.com"))
            for id in ["s1", "s2", "s3"] {
                try await store.createSession(SessionRecord(idHash: id, userID: user.id, email: user.email, csrfToken: "c", createdAt: now,
                                                            expiresAt: now.addingTimeInterval(10), endsAt: now.addingTimeInterval(100)))
            }
            // Used: its idle end moves on, but never past its end.
            try await store.extendSession(idHash: "s1", until: now.addingTimeInterval(1000))
            #expect(try await store.session(idHash: "s1", now: now.addingTimeInterval(50)) != nil)
            #expect(try await store.session(idHash: "s1", now: now.addingTimeInterval(101)) == nil)
            // Unused: it ends when idle.
            #expect(try await store.session(idHash: "s2", now: now.addingTimeInterval(11)) == nil)
            try await store.deleteSessions(userID: user.id)
            #expect(try await store.session(idHash: "s3", now: now) == nil)
        }
    }

    @Test func aViewerSeesEveryPageButChangesNothing() async throws {
        try await P.withPages { h in
            #expect(try await h.store.createUser(email: "viewer@example.com", passwordHash: Bcrypt.hash("viewer password", cost: 4), role: .viewer, now: Date()))
            try await h.app.test(.router) { client in
                let viewer = try #require(try await P.login(client, email: "viewer@example.com", password: "viewer password").browser)
                for page in ["/dashboard", "/hosts/db-1", "/journal", "/flips", "/tokens", "/channels", "/checks/new"] {
                    #expect(try await client.execute(uri: page, method: .get, headers: viewer.headers).status == .ok, "\(page)")
                }
                let forms: [(String, String)] = [
                    ("/checks/silence", "host=db-1&check=disk%3A%2F&for=1h"), ("/checks/pause", "host=db-1&check=disk%3A%2F&paused=1"),
                    ("/checks/delete", "host=db-1&check=disk%3A%2F"), ("/checks/new", "host=db-1&name=job&every=1h"),
                    ("/tokens", "label=x"), ("/tokens/revoke", "id=1"), ("/channels/test", "channel=slack"),
                ]
                for (uri, body) in forms {
                    let response = try await client.execute(uri: uri, method: .post, headers: viewer.form, body: ByteBuffer(string: "_csrf=\(viewer.csrf)&\(body)"))
                    #expect(response.status == .forbidden, "\(uri)")
                }
                var api = viewer.headers
                api[HTTPField.Name("X-CSRF-Token")!] = viewer.csrf
                #expect(try await client.execute(uri: "/api/v1/checks/db-1/disk%3A%2F", method: .delete, headers: api).status == .forbidden)
                api[.contentType] = "application/json"
                for (uri, body) in [("/api/v1/silences", #"{"host": "db-1", "for": "1h"}"#), ("/api/v1/pause", #"{"host": "db-1", "paused": true}"#),
                                    ("/api/v1/heartbeats", #"{"host": "db-1", "name": "job", "every": "1h"}"#)] {
                    #expect(try await client.execute(uri: uri, method: .post, headers: api, body: ByteBuffer(string: body)).status == .forbidden, "\(uri)")
                }
                #expect(try await client.execute(uri: "/api/v1/checks?host=db-1", method: .get, headers: viewer.headers).status == .ok)
                #expect(try await h.store.checks(host: "db-1", state: nil).contains { $0.name == "disk:/" && $0.silencedUntil == nil && !$0.paused })
                #expect(try await h.store.tokens().count == 2)
                // A viewer may log out.
                let out = try await client.execute(uri: "/logout", method: .post, headers: viewer.form, body: ByteBuffer(string: "_csrf=\(viewer.csrf)"))
                #expect(out.status == .seeOther)
            }
        }
    }

    @Test func loggingOutEverywhereEndsEveryBrowsersSession() async throws {
        try await P.withPages { h in
            try await h.app.test(.router) { client in
                let first = try #require(try await P.login(client).browser)
                let second = try #require(try await P.login(client).browser)
                let out = try await client.execute(uri: "/logout/everywhere", method: .post, headers: first.form, body: ByteBuffer(string: "_csrf=\(first.csrf)"))
                #expect(out.status == .seeOther)
                for browser in [first, second] {
                    let page = try await client.execute(uri: "/dashboard", method: .get, headers: browser.headers)
                    #expect(page.status == .seeOther && page.headers[.location]?.hasPrefix("/login") == true)
                }
            }
        }
    }

    @Test func usingASessionMovesItsIdleEndOn() async throws {
        try await P.withPages { h in
            try await h.app.test(.router) { client in
                let browser = try #require(try await P.login(client).browser)
                let idHash = TokenHash.of(String(browser.cookie.drop { $0 != "=" }.dropFirst()))
                // As if unused for almost a week: an hour of idleness left.
                try await h.store.extendSession(idHash: idHash, until: Date().addingTimeInterval(3600))
                #expect(try await client.execute(uri: "/dashboard", method: .get, headers: browser.headers).status == .ok)
                let session = try #require(try await h.store.session(idHash: idHash, now: Date()))
                #expect(session.expiresAt > Date().addingTimeInterval(WebSessions.idleTimeout - 60))
                #expect(session.endsAt <= session.createdAt.addingTimeInterval(WebSessions.lifetime))
            }
        }
    }

    @Test func theUserCommandsAddListChangeAndRemove() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: data) }
        let backend = EndToEndTests.buildDirectory.appendingPathComponent("metrics-backend").path
        let env = ["DATA_DIR": data.path]
        func sh(_ script: String) async throws -> CommandOutcome {
            try await runCommand("/bin/sh", ["-c", script], environment: env.merging(["BACKEND": backend]) { $1 })
        }
        #expect(try await sh("echo 'first password' | \"$BACKEND\" user add ops@example.com").status == 0)
        let viewer = try await sh("echo 'second password' | \"$BACKEND\" user add --role viewer look@example.com")
        #expect(viewer.status == 0 && viewer.stdout.contains("viewer"))
        let badRole = try await sh("echo 'second password' | \"$BACKEND\" user add --role owner x@example.com")
        #expect(badRole.status != 0 && badRole.stderr.contains("admin or viewer"))
        let list = try await sh("\"$BACKEND\" user list")
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") } == ["look@example.com viewer", "ops@example.com admin"])
        #expect(try await sh("echo 'a new password' | \"$BACKEND\" user passwd ops@example.com").status == 0)
        let short = try await sh("echo 'short' | \"$BACKEND\" user passwd ops@example.com")
        #expect(short.status == 2 && short.stderr.contains("at least 10"))
        #expect(try await sh("\"$BACKEND\" user remove look@example.com").status == 0)
        let again = try await sh("\"$BACKEND\" user remove look@example.com")
        #expect(again.status == 1 && again.stderr.contains("no user"))
        #expect(try await sh("\"$BACKEND\" user list").stdout.hasPrefix("ops@example.com\tadmin"))
    }
}
