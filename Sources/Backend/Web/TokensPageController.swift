import Foundation
import Hummingbird
import Shared

/// `/tokens`: make a token for one host or all hosts (shown once, stored hashed), and revoke tokens.
struct TokensPageController: Sendable {
    let pages: WebPages
    let auth: TokenAuthenticator

    func add(to routes: PageRoutes) {
        routes.users.get("tokens", use: list)
        routes.admins
            .post("tokens", use: create)
            .post("tokens/revoke", use: revoke)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        return try await page(request, session: session, context: context, extra: [:])
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (session, form) = try await pages.form(request, context: context)
        let host = form["host"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let label = form["label"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if let problem = Self.problem(host: host, label: label, maxNameLength: pages.config.reportLimits.maxNameLength) {
            return try await page(request, session: session, context: context, extra: ["error": problem], status: .badRequest)
        }
        let token = TokenHash.generate()
        let record = try await pages.store.createToken(NewToken(hash: TokenHash.of(token), prefix: TokenHash.prefix(of: token),
                                                                host: host.isEmpty ? nil : host, label: label.isEmpty ? nil : label, createdAt: Date()))
        return try await page(request, session: session, context: context,
                              extra: ["newToken": ["token": token, "id": record.id, "scope": host.isEmpty ? "all hosts" : "host \(host)"]],
                              status: .created)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, form) = try await pages.form(request, context: context)
        guard let id = form["id"].flatMap({ Int64($0) }) else { throw PageError(.badRequest, "Name the token to revoke.") }
        let revoked = try await pages.store.revokeToken(id: id, at: Date())
        guard revoked else { throw PageError(.notFound, "No live token has ID \(id).") }
        auth.forget()
        return pages.redirect(back: "/tokens", fallback: "/tokens", notice: "Revoked token \(id).")
    }

    static func problem(host: String, label: String, maxNameLength: Int) -> String? {
        do {
            if !host.isEmpty { try Names.check(host, field: "host", maxLength: maxNameLength) }
            if !label.isEmpty { try Names.check(label, field: "label", maxLength: 200) }
            return nil
        } catch {
            return "\(error.field): \(error.message)"
        }
    }

    private func page(_ request: Request, session: SessionRecord, context: AppRequestContext, extra: [String: Any],
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let tokens = try await pages.store.tokens()
        var model = extra
        model["tokens"] = tokens.reversed().map { token in
            [
                "id": token.id, "prefix": token.prefix, "scope": token.host ?? "all hosts", "label": token.label ?? "",
                "createdUTC": TimeText.utc(token.createdAt), "createdISO": TimeText.iso(token.createdAt),
                "revoked": token.revokedAt != nil, "revokedUTC": token.revokedAt.map(TimeText.utc) ?? "",
            ] as [String: Any]
        }
        return pages.render("tokens", request: request, session: session, title: "Tokens", nav: "tokens", model, status: status)
    }
}
