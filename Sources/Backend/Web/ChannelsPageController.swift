import Foundation
import Hummingbird

/// `/channels`: where notifications go (names, kinds and budgets, never secrets), and a test
/// message per channel for an admin.
struct ChannelsPageController: Sendable {
    let pages: WebPages
    let notifiers: [String: any Notifier]

    /// `testing`: admins' routes with a deadline long enough for a channel's timeout.
    func add(to routes: PageRoutes, testing: some RouterMethods<AppRequestContext>) {
        routes.users.get("channels", use: list)
        testing.post("channels/test", use: test)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let channels = notifiers.sorted { $0.key < $1.key }.map { name, notifier in
            ["name": name, "kind": ChannelTest.kind(of: name), "budget": ChannelTest.describe(notifier.budget)]
        }
        return pages.render("channels", request: request, session: session, title: "Channels", nav: "channels", ["channels": channels])
    }

    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, form) = try await pages.form(request, context: context)
        let name = form["channel"] ?? ""
        guard let notifier = notifiers[name] else { throw PageError(.notFound, "No channel is named \(name).") }
        if let error = await ChannelTest.send(notifier) {
            return pages.redirect(back: "/channels", fallback: "/channels", notice: "The test message to \(name) failed: \(error)")
        }
        return pages.redirect(back: "/channels", fallback: "/channels", notice: "Sent a test message to \(name).")
    }
}
