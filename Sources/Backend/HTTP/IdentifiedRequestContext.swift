import Hummingbird

/// A request context that carries who is calling, put there by the middleware in front of the
/// route: `CallerMiddleware` on the API, `SessionMiddleware` on the pages.
protocol IdentifiedRequestContext: RequestContext {
    /// A token, a browser session calling the API, or nobody where anonymous ingest is allowed.
    var caller: Caller? { get set }
    /// The session of a page, with its role and CSRF token.
    var session: SessionRecord? { get set }
}

extension IdentifiedRequestContext {
    /// A route mounted without `CallerMiddleware` refuses: it never serves as if anonymous.
    func requireCaller() throws -> Caller {
        guard let caller else { throw APIError(.internalServerError, "this route was mounted without authentication") }
        return caller
    }

    func requireSession() throws -> SessionRecord {
        guard let session else { throw PageError(.internalServerError, "This page was mounted without a session check.") }
        return session
    }
}
