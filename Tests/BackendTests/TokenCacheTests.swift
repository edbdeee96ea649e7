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
}
