import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing
@testable import Backend

/// The login form under attack: parallel guesses, a reverse proxy in front, a flood of checks,
/// and `next` pointing off the site.
@Suite struct LoginAbuseTests {
    typealias P = PagesHTTPTests

    /// A login POST with a double-submitted CSRF token of its own, so many can run at once.
    static func post(_ client: some TestClientProtocol, email: String, password: String, next: String = "%2Fdashboard",
                     forwardedFor: String? = nil) async throws -> TestResponse {
        let token = String(repeating: "7", count: 64)
        var headers: HTTPFields = [.cookie: "\(WebSessions.loginCookieName)=\(token)", .contentType: "application/x-www-form-urlencoded"]
        if let forwardedFor { headers[TrustedProxies.forwardedFor] = forwardedFor }
        let body = "_csrf=\(token)&email=\(URLText.query(email))&password=\(URLText.query(password))&next=\(next)"
        return try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func parallelGuessesCannotAllSlipPastTheThrottle() async throws {
        try await P.withPages { h in
            try await h.app.test(.router) { client in
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<30 { group.addTask { try await Self.post(client, email: P.email, password: "wrong password!").status } }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                // Five free attempts and the one that locks; every other guess is refused unchecked.
                #expect(statuses.filter { $0 == .unauthorized }.count == 6)
                #expect(statuses.filter { $0 == .tooManyRequests }.count == 24)
            }
        }
    }

    @Test func behindATrustedProxyEachClientIsThrottledOnItsOwn() async throws {
        try await IngestHTTPTests.withHarness({ $0.trustedProxies = try! TrustedProxies(parsing: "127.0.0.1, ::1") }) { h in
            for index in 0..<21 {
                #expect(try await h.store.createUser(email: "user\(index)@example.com", passwordHash: Bcrypt.hash("right password", cost: 4), now: Date()))
            }
            try await h.app.test(.live) { client in
                // 21 users guessed wrong once each, from one client behind the proxy: that client is locked out ...
                for index in 0..<21 {
                    let response = try await Self.post(client, email: "user\(index)@example.com", password: "wrong password", forwardedFor: "203.0.113.7")
                    #expect(response.status == .unauthorized)
                }
                let locked = try await Self.post(client, email: "user0@example.com", password: "right password", forwardedFor: "198.51.100.1, 203.0.113.7")
                #expect(locked.status == .tooManyRequests)
                // Refused unchecked, its attempts cost user0's email nothing.
                for _ in 0..<8 {
                    #expect(try await Self.post(client, email: "user0@example.com", password: "wrong", forwardedFor: "203.0.113.7").status == .tooManyRequests)
                }
                // ... and another client of the same proxy is not.
                let other = try await Self.post(client, email: "user0@example.com", password: "right password", forwardedFor: "203.0.113.8")
                #expect(other.status == .seeOther)
            }
        }
    }

    @Test func theClientAddressIsTheProxysWordOnlyWhenItIsTrusted() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 127.0.0.1 ::1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["198.51.100.1, 203.0.113.7"]) == "203.0.113.7")
        #expect(proxies.client(peer: "::ffff:127.0.0.1", forwardedFor: ["203.0.113.7, 10.1.2.3"]) == "203.0.113.7")
        #expect(proxies.client(peer: "::1", forwardedFor: ["198.51.100.1", "203.0.113.7"]) == "203.0.113.7")
        // A client that is not a proxy cannot choose its own address.
        #expect(proxies.client(peer: "203.0.113.9", forwardedFor: ["127.0.0.1"]) == "203.0.113.9")
        #expect(TrustedProxies.none.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.7"]) == "127.0.0.1")
        // A garbled hop ends the chain at the last good one.
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.7, junk"]) == "127.0.0.1")
        #expect(proxies.contains("10.255.0.1") && !proxies.contains("11.0.0.1"))
        #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: "proxy.local") }
        #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: "10.0.0.0/") }
        #expect(throws: ConfigError.self) { try BackendConfig.fromEnvironment(["TRUSTED_PROXIES": "10.0.0.0/99"]) }
    }

    @Test func aFloodOfPasswordChecksIsRefusedNotQueued() async throws {
        let hash = Bcrypt.hash("x", cost: 10)
        let passwords = PasswordCheck(maxWaiting: 4)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { (try? await passwords.admit { try await passwords.verify("y", hash: hash) }) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.contains(false), "some checks were refused as busy")
        #expect(outcomes.filter { $0 }.count >= passwords.maxWaiting)
    }

    @Test func nextNeverLeavesTheSite() async throws {
        try await P.withPages { h in
            try await h.app.test(.router) { client in
                let login = try await Self.post(client, email: P.email, password: P.password, next: "%2F%09%2Fevil.example")
                #expect(login.status == .seeOther)
                #expect(login.headers[.location] == "/dashboard")
                let browser = try #require(try await P.login(client).browser)
                let again = try await client.execute(uri: "/login?next=/%09/evil.example", method: .get, headers: browser.headers)
                #expect(again.headers[.location] == "/dashboard")
            }
        }
    }
}

/// The login throttle's records on both engines: the policy, and that a restart or another
/// backend on the same database sees them.
@Suite struct LoginThrottleContractTests {
    @Test(arguments: Engine.available)
    func throttleLocksAfterFreeAttemptsAndDoubles(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let throttle = LoginThrottle(store: store, freeAttempts: 2, window: 60, maxLockout: 8)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await throttle.reserve(key: "a", now: start) == nil)
            #expect(try await throttle.reserve(key: "a", now: start) == nil)
            // The third goes ahead and locks: at once or in a row, free attempts + 1 are checked.
            #expect(try await throttle.reserve(key: "a", now: start) == nil)
            #expect(try await throttle.reserve(key: "a", now: start) == 1)
            #expect(try await throttle.reserve(key: "a", now: start.addingTimeInterval(1)) == nil)
            #expect(try await throttle.reserve(key: "a", now: start.addingTimeInterval(1)) == 2)
            for second in 3...9 { _ = try await throttle.reserve(key: "a", now: start.addingTimeInterval(Double(second * 2))) }
            #expect(try await throttle.reserve(key: "a", now: start.addingTimeInterval(18)) == 8)
            #expect(try await throttle.reserve(key: "b", now: start) == nil)
            // A success gives back only its own attempt; forgetting clears the key.
            let other = start.addingTimeInterval(100)
            for _ in 0..<2 { #expect(try await throttle.reserve(key: "c", now: other) == nil) }
            let success = other.addingTimeInterval(1)
            #expect(try await throttle.reserve(key: "c", now: success) == nil)
            try await throttle.giveBack(key: "c", reservedAt: success)
            #expect(try await throttle.reserve(key: "c", now: success) == nil, "the success's own attempt was given back")
            try await throttle.forget(key: "c")
            for _ in 0..<3 { #expect(try await throttle.reserve(key: "c", now: success) == nil) }
        }
    }

    @Test(arguments: Engine.available)
    func aRestartOrAnotherBackendSeesTheLock(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let now = Date()
            let before = LoginThrottle(store: store, freeAttempts: 1)
            #expect(try await before.reserve(key: "email:x@example.com", now: now) == nil)
            #expect(try await before.reserve(key: "email:x@example.com", now: now) == nil)
            // A new throttle, as after a restart or in a second backend, over the same store.
            let after = LoginThrottle(store: store, freeAttempts: 1)
            #expect(try await after.reserve(key: "email:x@example.com", now: now) == 1)
            // Two backends guessing at once still get no more than free attempts + 1.
            let twins = (0..<2).map { _ in LoginThrottle(store: store, freeAttempts: 3) }
            let passed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 { group.addTask { try await twins[index % 2].reserve(key: "address:203.0.113.9", now: now) == nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(passed == 4)
            #expect(try await after.reserve(key: "email:x@example.com", now: now.addingTimeInterval(2 * 86400)) == nil)
        }
    }
}

