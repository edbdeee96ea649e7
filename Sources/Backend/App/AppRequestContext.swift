import Hummingbird

/// The context every route of the backend sees.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Bodies are read with explicit limits per route (`RequestBody.collect`); this bounds the rest.
    var maxUploadSize: Int { 1 << 20 }
}
