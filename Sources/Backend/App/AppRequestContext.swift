import Hummingbird
import NIOCore

/// The context every route of the backend sees.
struct AppRequestContext: RequestContext, RemoteAddressRequestContext, IdentifiedRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer's address: the login throttle counts failures per address.
    let remoteAddress: SocketAddress?
    var caller: Caller?
    var session: SessionRecord?

    init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read with explicit limits per route (`RequestBody.collect`); this bounds the rest.
    var maxUploadSize: Int { 1 << 20 }
}
