import Foundation
import Hummingbird
import Logging

/// `/login` and `/logout`. Failed logins are throttled per email and per address; a login always
/// starts a new session, and logout deletes it on the server, not just in the browser.
struct LoginController: Sendable {
    let pages: WebPages
    let emailThrottle: LoginThrottle
    let addressThrottle: LoginThrottle
    let passwords = PasswordCheck()

    init(pages: WebPages) {
        self.pages = pages
        emailThrottle = LoginThrottle(store: pages.store, freeAttempts: 5)
        addressThrottle = LoginThrottle(store: pages.store, freeAttempts: 20)
    }

    func add(to routes: PageRoutes) {
        routes.anyone
            .get("login", use: form)
            .post("login", use: login)
        // A viewer may log out too.
        routes.users
            .post("logout", use: logout)
            .post("logout/everywhere", use: logoutEverywhere)
    }

    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = URLText.localPath(request.uri.queryParameters.get("next")) ?? "/dashboard"
        if try await pages.sessions.session(of: request) != nil { return PageRedirect(to: next).response }
        return page(request, next: next, email: "", error: nil, status: .ok)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.read(request)
        guard let expected = request.cookies[WebSessions.loginCookieName]?.value, let given = form["_csrf"],
              WebSessions.constantTimeEqual(expected, given) else {
            throw PageError(.forbidden, "The login form has expired or did not come from this site. Reload the login page and try again.")
        }
        let email = String((form["email"] ?? "").trimmingCharacters(in: .whitespaces).prefix(254))
        let password = String((form["password"] ?? "").prefix(200))
        let next = URLText.localPath(form["next"]) ?? "/dashboard"
        let address = pages.config.trustedProxies.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: TrustedProxies.forwardedFor]) ?? "unknown"
        let outcome: Outcome
        do {
            outcome = try await passwords.admit { try await check(email: email, password: password, address: address) }
        } catch is PasswordCheck.Busy {
            return tooMany(request, next: next, email: email, wait: 1, "Too many logins at once.")
        }
        let user: UserRecord
        switch outcome {
        case .wait(let seconds): return tooMany(request, next: next, email: email, wait: seconds, "Too many failed logins.")
        case .wrong:
            context.logger.notice("login failed", metadata: ["address": "\(address)"])
            return page(request, next: next, email: email, error: "Wrong email or password.", status: .unauthorized)
        case .user(let found): user = found
        }
        let cookie = try await pages.sessions.start(userID: user.id, email: user.email, role: user.role)
        var response = PageRedirect(to: next).response
        response.setCookie(cookie)
        response.setCookie(pages.sessions.cookie(WebSessions.loginCookieName, "", maxAge: 0))
        return response
    }

    private enum Outcome: Sendable {
        case wait(Int), wrong, user(UserRecord)
    }

    /// The throttle and the password, inside a password-check slot: a login the slots cannot take
    /// costs the store nothing. Each attempt is reserved before the password is checked, the
    /// address first, so a locked-out address spends none of a victim email's attempts.
    private func check(email: String, password: String, address: String) async throws -> Outcome {
        let emailKey = "email:" + email.lowercased()
        let addressKey = "address:" + address
        let attemptAt = Date()
        let (emailThrottle, addressThrottle, store) = (self.emailThrottle, self.addressThrottle, pages.store)
        if let wait = try await addressThrottle.reserve(key: addressKey, now: attemptAt) { return .wait(wait) }
        // No password was checked: the attempts are given back.
        func giveBack(email: Bool) async throws {
            if email { try await emailThrottle.giveBack(key: emailKey, reservedAt: attemptAt) }
            try await addressThrottle.giveBack(key: addressKey, reservedAt: attemptAt)
        }
        let emailWait: Int?
        do { emailWait = try await emailThrottle.reserve(key: emailKey, now: attemptAt) } catch {
            try? await giveBack(email: false)
            throw error
        }
        if let wait = emailWait {
            try await giveBack(email: false)
            return .wait(wait)
        }
        let matches: Bool
        let user: UserRecord?
        do {
            user = try await store.user(email: email)
            matches = try await passwords.verify(password, hash: user?.passwordHash)
        } catch {
            try? await giveBack(email: true)
            throw error
        }
        guard let user, matches, !password.isEmpty else { return .wrong }
        try await emailThrottle.forget(key: emailKey)
        try await addressThrottle.giveBack(key: addressKey, reservedAt: attemptAt)
        return .user(user)
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await logout(request, context: context, everywhere: false)
    }

    /// Ends every session of the user, in every browser.
    @Sendable func logoutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await logout(request, context: context, everywhere: true)
    }

    private func logout(_ request: Request, context: AppRequestContext, everywhere: Bool) async throws -> Response {
        let (session, _) = try await pages.form(request, context: context)
        try await pages.sessions.end(session, everywhere: everywhere)
        var response = PageRedirect(to: "/login").response
        response.setCookie(pages.sessions.cookie(WebSessions.cookieName, "", maxAge: 0))
        return response
    }

    private func tooMany(_ request: Request, next: String, email: String, wait: Int, _ reason: String) -> Response {
        var response = page(request, next: next, email: email, error: "\(reason) Try again in \(wait) s.", status: .tooManyRequests)
        response.headers[.retryAfter] = "\(wait)"
        return response
    }

    /// The form, with a fresh CSRF token in a cookie and in the form (double submit).
    private func page(_ request: Request, next: String, email: String, error: String?, status: HTTPResponse.Status) -> Response {
        let token = WebSessions.randomToken()
        var model: [String: Any] = ["title": "Log in", "csrf": token, "next": next, "email": email]
        if let error { model["error"] = error }
        var response = pages.views.page("login", model, status: status)
        response.setCookie(pages.sessions.cookie(WebSessions.loginCookieName, token, maxAge: 3600))
        return response
    }
}
