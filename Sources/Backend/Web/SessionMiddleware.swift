import Hummingbird

/// Puts the browser's session on the context of a page, or sends the browser to log in and come
/// back. Routes that change something refuse a viewer; their forms check the CSRF token themselves.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let sessions: WebSessions
    /// The routes change something, which a viewer may not.
    let changes: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = try await sessions.session(of: request) else {
            throw PageRedirect(to: "/login?next=" + URLText.query(request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")))
        }
        guard !changes || session.role != .viewer else {
            throw PageError(.forbidden, "Your account may look but not change anything. Ask an admin.")
        }
        var context = context
        context.session = session
        return try await next(request, context)
    }
}
