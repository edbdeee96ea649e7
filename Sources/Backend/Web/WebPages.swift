import Foundation
import Hummingbird
import Logging

/// What every page controller shares: the stores, the templates, sessions and CSRF checks.
struct WebPages: Sendable {
    let store: any Store
    let journal: any JournalStore
    let views: Views
    let sessions: WebSessions
    let config: BackendConfig

    static let flashCookie = "mt_flash"

    /// A state-changing form must carry the session's CSRF token.
    func requireCSRF(_ form: [String: String], _ session: SessionRecord) throws {
        guard let token = form["_csrf"], WebSessions.constantTimeEqual(token, session.csrfToken) else {
            throw PageError(.forbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
        }
    }

    /// The fields of a page's POST, once its CSRF token matches the session `SessionMiddleware` found.
    func form(_ request: Request, context: AppRequestContext) async throws -> (SessionRecord, [String: String]) {
        let session = try context.requireSession()
        let form = try await FormBody.read(request)
        try requireCSRF(form, session)
        return (session, form)
    }

    /// Renders a page inside the layout, with the navigation and a one-time notice.
    func render(_ template: String, request: Request, session: SessionRecord, title: String, nav: String,
                _ model: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var model = model
        model["title"] = title
        model["email"] = session.email
        model["viewer"] = session.role == .viewer
        model["csrf"] = session.csrfToken
        model["nav"] = Self.navigation.map { ["href": $0.href, "label": $0.label, "current": $0.key == nav] as [String: Any] }
        let notice = request.cookies[Self.flashCookie]?.value.removingPercentEncoding
        if let notice, !notice.isEmpty { model["notice"] = String(notice.prefix(300)) }
        var response = views.page(template, model, status: status)
        if notice != nil { response.setCookie(sessions.cookie(Self.flashCookie, "", maxAge: 0)) }
        return response
    }

    /// After a form: back to `back` (a path of this site only) with a notice shown once.
    func redirect(back: String?, fallback: String, notice: String) -> Response {
        var response = PageRedirect(to: URLText.localPath(back) ?? fallback).response
        response.setCookie(sessions.cookie(Self.flashCookie, URLText.query(String(notice.prefix(300))), maxAge: 60))
        return response
    }

    static let navigation: [(key: String, href: String, label: String)] = [
        ("dashboard", "/dashboard", "Dashboard"), ("journal", "/journal", "Journal"), ("flips", "/flips", "Flips"),
        ("maintenance", "/maintenance", "Maintenance"),
        ("checks", "/checks/new", "New heartbeat"), ("tokens", "/tokens", "Tokens"),
        ("channels", "/channels", "Channels"),
    ]
}

/// A 303 to another page of this site.
struct PageRedirect: Error, HTTPResponseError {
    var location: String
    init(to location: String) { self.location = location }
    var status: HTTPResponse.Status { .seeOther }

    var response: Response {
        var headers = Views.headers(contentType: "text/plain; charset=utf-8")
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
