import Hummingbird

/// Puts the API's caller on the context, or refuses the request before its handler runs: 401
/// without a credential the routes accept, 403 for a host's token where reading needs all hosts.
struct CallerMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
    enum Rule: Sendable {
        /// A token for all hosts, or a browser session (with its CSRF header to change anything).
        case reader
        /// Any live token, also as `?token=` where the original sender sends it that way; nobody
        /// at all when ALLOW_ANONYMOUS_INGEST is set. Its scope is checked against what it sends.
        /// `basicAuth`: also as basic auth's password, where Loki clients send it that way.
        case reporter(queryToken: Bool, basicAuth: Bool = false, allowAnonymous: Bool)
    }

    let auth: TokenAuthenticator
    let rule: Rule

    init(_ auth: TokenAuthenticator, _ rule: Rule) {
        self.auth = auth
        self.rule = rule
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch rule {
        case .reader:
            context.caller = try await auth.reader(of: request)
        case .reporter(let queryToken, let basicAuth, let allowAnonymous):
            context.caller = try await auth.caller(of: request, queryToken: queryToken, basicAuth: basicAuth, allowAnonymous: allowAnonymous)
        }
        return try await next(request, context)
    }
}
