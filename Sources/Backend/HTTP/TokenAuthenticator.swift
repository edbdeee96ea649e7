import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Shared
import Synchronization

/// Resolves bearer tokens to callers. Tokens are looked up by their SHA-256, so the database never
/// holds a usable token and lookups take the same time whatever the token. Answers are cached for
/// a few seconds, so ingest at thousands of reports a second does not query tokens each time; a
/// revocation takes effect within `ttl`. A lock, not an actor: every request passes here.
/// One query per token at a time: the requests that find no answer wait for the one query under
/// way, and an answer near its end is refreshed ahead while requests go on with it. Otherwise a
/// cold start, and then every expiry, sent each waiting request to the database at once, and
/// the pool opened a connection for each.
final class TokenAuthenticator: Sendable {
    private struct Entry {
        var token: TokenRecord?
        var until: Date
    }

    private struct Cache {
        /// Tokens that exist. Only real tokens land here, so guesses can never push them out.
        var entries: [String: Entry] = [:]
        /// Well-formed tokens that do not exist, bounded on their own.
        var misses: [String: Date] = [:]
        var queries: [String: Task<TokenRecord?, any Error>] = [:]
        /// Bumped by `forget`: a query begun before it must not store its older answer.
        var generation = 0
    }

    private let store: any Store
    private let ttl: TimeInterval
    private let cache = Mutex(Cache())
    private let maxEntries: Int
    private let queried = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    /// Store queries at once for tokens not known: a flood of invented tokens costs the database
    /// this much and no more; the rest are asked to retry. A token known to exist (its answer
    /// expired) is never held back by them.
    private let maxQueries: Int

    /// Store queries under way.
    var queriesInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Lookups that reached the store.
    var storeQueries: Int { queried.load(ordering: .relaxed) }

    init(store: any Store, ttl: TimeInterval = 5, maxEntries: Int = 10_000, maxQueries: Int = 8) {
        self.store = store
        self.maxQueries = maxQueries
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// The caller of a request. `queryToken` allows `?token=` (the original sender's style);
    /// `basicAuth` allows the token as basic auth's password (Loki clients that know no other way).
    func caller(of request: Request, queryToken: Bool = false, basicAuth: Bool = false, allowAnonymous: Bool = false) async throws -> Caller {
        guard let presented = Self.presentedToken(request, queryToken: queryToken, basicAuth: basicAuth) else {
            if allowAnonymous { return Caller() }
            var refusal = APIError.unauthorized("a bearer token is required: send Authorization: Bearer TOKEN (create one with metrics-backend token create HOST)"
                + (basicAuth ? ", or basic auth with the token as the password" : ""))
            if basicAuth { refusal.headers[.wwwAuthenticate] = "Bearer, Basic realm=\"metrics\"" }
            throw refusal
        }
        // Tokens are made by `token create`: anything else is refused without a query.
        guard TokenHash.isWellFormed(presented), let token = try await lookup(TokenHash.of(presented)), token.revokedAt == nil else {
            throw APIError.unauthorized("the token is unknown or revoked")
        }
        return Caller(tokenID: token.id, host: token.host)
    }

    /// A caller that may read everything: a token not scoped to one host.
    func reader(of request: Request) async throws -> Caller {
        if Self.presentedToken(request, queryToken: false) == nil, request.cookies[WebSessions.cookieName] != nil {
            return try await sessionCaller(request)
        }
        let caller = try await caller(of: request)
        guard caller.host == nil else {
            throw APIError(.forbidden, "this token may only report for host '\(caller.host ?? "")'; reading needs a token not scoped to a host")
        }
        return caller
    }

    /// A browser session reads like an all-hosts token. Changing state also needs the session's
    /// CSRF token in `X-CSRF-Token`, which other sites cannot read.
    private func sessionCaller(_ request: Request) async throws -> Caller {
        let session = try await WebSessions(store: store, publicURL: nil).session(of: request)
        guard let session else { throw APIError.unauthorized("the session has ended; log in again, or send Authorization: Bearer TOKEN") }
        if ![.get, .head].contains(request.method) {
            guard let given = request.headers[HTTPField.Name("X-CSRF-Token")!], WebSessions.constantTimeEqual(given, session.csrfToken) else {
                throw APIError(.forbidden, "a session needs the page's CSRF token in X-CSRF-Token to change anything", field: "X-CSRF-Token")
            }
            guard session.role != .viewer else { throw APIError(.forbidden, "a viewer may read but not change anything") }
        }
        return Caller(userID: session.userID)
    }

    func forget() {
        cache.withLock { cache in
            cache.entries.removeAll()
            cache.misses.removeAll()
            cache.queries.removeAll()
            cache.generation += 1
        }
    }

    private func lookup(_ hash: String) async throws -> TokenRecord? {
        let now = Date()
        enum Found { case cached(TokenRecord?), asked(Task<TokenRecord?, any Error>), busy }
        let found = cache.withLock { cache -> Found in
            if let entry = cache.entries[hash], entry.until > now {
                // In its last fifth, one query refreshes it; requests go on with the answer meanwhile.
                if entry.until.timeIntervalSince(now) < ttl / 5, cache.queries[hash] == nil {
                    cache.queries[hash] = startQuery(hash, generation: cache.generation)
                }
                return .cached(entry.token)
            }
            if let miss = cache.misses[hash], miss > now { return .cached(nil) }
            if let running = cache.queries[hash] { return .asked(running) }
            guard cache.entries[hash] != nil || inFlight.load(ordering: .relaxed) < maxQueries else { return .busy }
            let started = startQuery(hash, generation: cache.generation)
            cache.queries[hash] = started
            return .asked(started)
        }
        switch found {
        case .cached(let token): return token
        case .asked(let query): return try await query.value
        case .busy:
            var busy = APIError(.serviceUnavailable, "too many unknown tokens are being checked; retry later")
            busy.headers[.retryAfter] = "5"
            throw busy
        }
    }

    /// Queries the store for one token and caches the answer; called with the cache locked, so it
    /// only starts the task.
    private func startQuery(_ hash: String, generation: Int) -> Task<TokenRecord?, any Error> {
        let store = self.store
        inFlight.add(1, ordering: .relaxed)
        return Task {
            queried.add(1, ordering: .relaxed)
            let result = await withDeadline(storageDeadline, { try await store.token(hash: hash) })
            inFlight.subtract(1, ordering: .relaxed)
            return try cache.withLock { cache in
                let current = cache.generation == generation
                if current { cache.queries[hash] = nil }
                // Failures reach StorageErrorMiddleware as they are, to be logged and answered 503.
                guard let result else { throw StorageTimeout(limit: storageDeadline) }
                let token = try result.get()
                guard current else { return token }
                let until = Date().addingTimeInterval(ttl)
                if token == nil {
                    if cache.misses.count >= maxEntries { cache.misses.removeAll(keepingCapacity: true) }
                    cache.misses[hash] = until
                    cache.entries[hash] = nil
                } else {
                    if cache.entries.count >= maxEntries { cache.entries.removeAll(keepingCapacity: true) }
                    cache.entries[hash] = Entry(token: token, until: until)
                    cache.misses[hash] = nil
                }
                return token
            }
        }
    }

    /// The token of an `Authorization: Bearer TOKEN` header: the scheme in any case, blanks around
    /// the token ignored. Byte-wise: this runs on every request, and Foundation's trimming cost
    /// more than the hash.
    static func bearerToken(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count, bytes[scheme.count] == 0x20, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        var token = bytes[(scheme.count + 1)...]
        while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        return token.isEmpty || token.count > 512 ? nil : String(decoding: token, as: UTF8.self)
    }

    /// The password of an `Authorization: Basic base64(user:password)` header; the user is ignored.
    static func basicPassword(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        let scheme = Array("basic".utf8)
        guard bytes.count > scheme.count, bytes.count <= 1024, bytes[scheme.count] == 0x20, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let encoded = String(decoding: bytes[(scheme.count + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard let decoded = Data(base64Encoded: encoded), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let password = decoded[decoded.index(after: colon)...]
        return password.isEmpty || password.count > 512 ? nil : String(decoding: password, as: UTF8.self)
    }

    static func presentedToken(_ request: Request, queryToken: Bool, basicAuth: Bool = false) -> String? {
        if let header = request.headers[.authorization], let token = bearerToken(header) { return token }
        if basicAuth, let header = request.headers[.authorization], let token = basicPassword(header) { return token }
        if queryToken, let token = request.uri.queryParameters.get("token"), !token.isEmpty, token.count <= 512 {
            return token
        }
        return nil
    }
}

/// How API tokens are made and stored.
enum TokenHash {
    static func of(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(token.utf8)))
    }

    /// A new token: "mt_" and 32 random bytes in hex, from the system's CSPRNG.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "mt_" + Hex.lowercase(bytes)
    }

    /// What `generate` makes: "mt_" and 64 lower-case hex digits.
    static func isWellFormed(_ token: String) -> Bool {
        let bytes = token.utf8
        guard bytes.count == 67, bytes.starts(with: "mt_".utf8) else { return false }
        return bytes.dropFirst(3).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// What lists show: enough to tell tokens apart, useless to an attacker.
    static func prefix(of token: String) -> String { String(token.prefix(9)) }
}
