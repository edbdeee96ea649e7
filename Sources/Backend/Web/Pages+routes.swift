import Foundation
import Hummingbird

/// The pages' routes. Without the resource bundle each page answers 500 with why.
func addPages(to router: Router<AppRequestContext>, store: any Store, alerting: AlertingService, journal: any JournalStore, auth: TokenAuthenticator, config: BackendConfig) {
    switch WebResources.loaded {
    case .success(let (views, assets)):
        let pages = WebPages(store: store, journal: journal, views: views, sessions: WebSessions(store: store, publicURL: config.publicURL), config: config)
        router.addRoutes(assets.endpoints)
        router.addRoutes(LoginController(pages: pages).endpoints)
        router.addRoutes(DashboardController(pages: pages).endpoints)
        router.addRoutes(CheckActionsController(pages: pages, alerting: alerting).endpoints)
        router.addRoutes(HostPageController(pages: pages).endpoints)
        router.addRoutes(JournalPageController(pages: pages).endpoints)
        router.addRoutes(CheckFormController(pages: pages).endpoints)
        router.addRoutes(TokensPageController(pages: pages, auth: auth).endpoints)
        router.addRoutes(FlipsPageController(pages: pages).endpoints)
    case .failure(let error):
        for path in ["/", "login", "dashboard", "journal", "flips", "tokens", "checks/new", "hosts/:host"] {
            router.get(RouterPath(path)) { _, _ -> Response in throw PageError(.internalServerError, "The pages cannot be shown: \(error)") }
        }
    }
}
