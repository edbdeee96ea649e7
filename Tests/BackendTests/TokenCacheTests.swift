import Foundation
import Hummingbird
import NIOCore
import Testing
@testable import Backend

/// The token cache in front of the store: one query per token however many requests wait for
/// it, and a revocation that takes effect within the cache's time.
@Suite struct TokenCacheTests {
    static func request(_ token: String) -> Request {
        Request(head: .init(method: .post, scheme: "http", authority: "localhost", path: "/api/v1/report", headerFields: [.authorization: "Bearer \(token)"]),
                body: .init(buffer: ByteBuffer()))
    }

    @Test func requestsThatFindNoAnswerShareOneQuery() async throws {
        try await IngestHTTPTests.withHarness { h in
            let auth = TokenAuthenticator(store: h.store, ttl: 60)
            let callers = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<64 { group.addTask { try await auth.caller(of: Self.request(h.allToken)).tokenID } }
                return try await group.reduce(into: [Int64?]()) { $0.append($1) }
            }
            #expect(callers.count == 64)
            #expect(Set(callers).count == 1)
            #expect(callers.first.flatMap { $0 } != nil)
            #expect(auth.storeQueries == 1)
        }
    }

    /// A lookup near an answer's end refreshes it at once, so it never runs out under steady use.
    @Test func anAnswerNearItsEndIsRefreshedAhead() async throws {
        try await IngestHTTPTests.withHarness { h in
            let ttl = 2.0
            let auth = TokenAuthenticator(store: h.store, ttl: ttl)
            let start = ContinuousClock.now
            _ = try await auth.caller(of: Self.request(h.allToken))
            #expect(auth.storeQueries == 1)
            try await Task.sleep(for: .seconds(ttl * 0.85))
            _ = try await auth.caller(of: Self.request(h.allToken))
            // The refresh runs beside the request; give it a moment, still before the first answer ends.
            for _ in 0..<25 where auth.storeQueries < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(auth.storeQueries == 2)
            // Past the first answer's end, the refreshed one answers without another query.
            try await Task.sleep(until: start + .seconds(ttl * 1.15))
            _ = try await auth.caller(of: Self.request(h.allToken))
            #expect(auth.storeQueries == 2)
        }
    }

    @Test func aRevokedTokenIsRefusedOnceTheCacheTimeHasPassed() async throws {
        try await IngestHTTPTests.withHarness { h in
            let ttl = 0.4
            let auth = TokenAuthenticator(store: h.store, ttl: ttl)
            let caller = try await auth.caller(of: Self.request(h.allToken))
            let id = try #require(caller.tokenID)
            // Into the last fifth, where a lookup starts a refresh ahead and still answers at once.
            try await Task.sleep(for: .seconds(ttl * 0.85))
            _ = try await auth.caller(of: Self.request(h.allToken))
            #expect(try await h.store.revokeToken(id: id, at: Date()))
            // Whatever was fetched before the revocation expires within ttl of it.
            try await Task.sleep(for: .seconds(ttl + 0.2))
            await #expect(throws: APIError.self) { try await auth.caller(of: Self.request(h.allToken)) }
            #expect(auth.storeQueries >= 2)
        }
    }

    @Test func forgettingRefusesARevokedTokenAtOnce() async throws {
        try await IngestHTTPTests.withHarness { h in
            let auth = TokenAuthenticator(store: h.store, ttl: 60)
            let id = try #require(try await auth.caller(of: Self.request(h.allToken)).tokenID)
            #expect(try await h.store.revokeToken(id: id, at: Date()))
            _ = try await auth.caller(of: Self.request(h.allToken))
            auth.forget()
            await #expect(throws: APIError.self) { try await auth.caller(of: Self.request(h.allToken)) }
            #expect(auth.storeQueries == 2)
        }
    }

    /// Invented tokens: malformed ones cost no query, and a flood of well-formed guesses fills
    /// its own bounded cache, never pushing out the tokens that exist.
    @Test func inventedTokensCannotPushKnownOnesOutOfTheCache() async throws {
        try await IngestHTTPTests.withHarness { h in
            let auth = TokenAuthenticator(store: h.store, ttl: 60, maxEntries: 50)
            _ = try await auth.caller(of: Self.request(h.allToken))
            #expect(auth.storeQueries == 1)
            for junk in ["x", "mt_nope", "mt_" + String(repeating: "G", count: 64), String(repeating: "a", count: 67)] {
                await #expect(throws: APIError.self) { try await auth.caller(of: Self.request(junk)) }
            }
            #expect(auth.storeQueries == 1, "malformed tokens were looked up")
            for _ in 0..<120 {
                await #expect(throws: APIError.self) { try await auth.caller(of: Self.request(TokenHash.generate())) }
            }
            let afterGuesses = auth.storeQueries
            #expect(afterGuesses == 121)
            #expect(try await auth.caller(of: Self.request(h.allToken)).tokenID != nil)
            #expect(auth.storeQueries == afterGuesses, "the known token was pushed out by guesses")
        }
    }

    /// Guesses fill the few lookups allowed at once; a real sender, whose cached answer expired
    /// between its reports, must still get through. PostgreSQL holds the lookups on a table lock.
    @Test(arguments: Engine.available.filter { $0 == .postgres })
    func guessesHoldingEveryLookupDoNotLockOutARealToken(_ engine: Engine) async throws {
        try await TestStores.with(engine) { (store: any Store, domain: Domain) async throws in
            let postgres = try #require(store as? PostgresStore)
            let real = TokenHash.generate()
            _ = try await store.createToken(NewToken(hash: TokenHash.of(real), prefix: TokenHash.prefix(of: real), host: "web-1", createdAt: Date()))
            let auth = TokenAuthenticator(store: store, ttl: 0.3, maxQueries: 4)
            #expect(try await auth.caller(of: Self.request(real)).tokenID != nil)
            try await Task.sleep(for: .milliseconds(400))  // the answer has expired, as between two reports

            let (locked, markLocked) = AsyncStream<Void>.makeStream()
            let (release, releaseLock) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await postgres.client.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestStores.logger)
                    try await connection.query("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE", logger: TestStores.logger)
                    markLocked.yield()
                    for await _ in release { break }
                    try await connection.query("ROLLBACK", logger: TestStores.logger)
                }
            }
            for await _ in locked { break }
            let guesses = (0..<4).map { _ in Task { try? await auth.caller(of: Self.request(TokenHash.generate())) } }
            for _ in 0..<400 where auth.queriesInFlight < 4 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(auth.queriesInFlight == 4)
            await #expect(throws: APIError.self) { try await auth.caller(of: Self.request(TokenHash.generate())) }
            let sender = Task { try await auth.caller(of: Self.request(real)) }
            releaseLock.yield()
            releaseLock.finish()
            #expect(try await sender.value.tokenID != nil, "the real token was refused while guesses held the lookups")
            for guess in guesses { #expect(await guess.value == nil) }
            try await holder.value
        }
    }
}
