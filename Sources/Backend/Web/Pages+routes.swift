import Foundation
import Hummingbird

/// The pages' routes. Without the resource bundle each page answers 500 with why.
func addPages(to router: Router<AppRequestContext>, store: any Store, alerting: AlertingService, outbox: OutboxService, leadership: Leadership, journal: any JournalStore,
              auth: TokenAuthenticator, config: BackendConfig) {
    switch WebResources.loaded {
    case .success(let (views, assets)):
        let sessions = WebSessions(store: store, publicURL: config.publicURL)
        let pages = WebPages(store: store, journal: journal, views: views, sessions: sessions, config: config)
        router.addRoutes(assets.endpoints)
        let users = router.group().add(middleware: SessionMiddleware(sessions: sessions, changes: false))
        let admins = router.group().add(middleware: SessionMiddleware(sessions: sessions, changes: true))
        // Forms are small: read whole before the storage deadline starts around each handler.
        let routes = PageRoutes(
            anyone: router.group().underStorageDeadline(bodyLimit: FormBody.maxBytes),
            users: users.underStorageDeadline(bodyLimit: FormBody.maxBytes),
            admins: admins.underStorageDeadline(bodyLimit: FormBody.maxBytes))
        LoginController(pages: pages).add(to: routes)
        DashboardController(pages: pages, leadership: leadership).add(to: routes)
        CheckActionsController(pages: pages, alerting: alerting).add(to: routes)
        HostPageController(pages: pages).add(to: routes)
        JournalPageController(pages: pages).add(to: routes)
        CheckFormController(pages: pages).add(to: routes)
        TokensPageController(pages: pages, auth: auth).add(to: routes)
        FlipsPageController(pages: pages).add(to: routes)
        NotificationGroupPageController(pages: pages, outbox: outbox).add(to: routes)
        // A test message may wait for its channel's timeout (35 s for SMTP), well past the storage deadline.
        ChannelsPageController(pages: pages, notifiers: config.alerting.notifiers)
            .add(to: routes, testing: admins.underStorageDeadline(bodyLimit: FormBody.maxBytes, limit: .seconds(45)))
        MaintenancePageController(pages: pages).add(to: routes)
    case .failure(let error):
        for path in ["/", "login", "dashboard", "journal", "flips", "maintenance", "tokens", "channels", "checks/new", "hosts/:host", "notifications/:id"] {
            router.get(RouterPath(path)) { _, _ -> Response in throw PageError(.internalServerError, "The pages cannot be shown: \(error)") }
        }
    }
}
