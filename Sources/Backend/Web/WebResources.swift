import Foundation

/// The templates and assets, loaded once. A binary without its resource bundle refuses to start
/// (`buildApplication` checks), instead of serving broken pages.
enum WebResources {
    static let loaded: Result<(views: Views, assets: AssetsController), any Error> = Result {
        (try Views.load(), try AssetsController.load())
    }
}
