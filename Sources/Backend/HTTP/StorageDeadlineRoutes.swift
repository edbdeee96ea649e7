import HTTPTypes
import Hummingbird
import HummingbirdCore

/// Routes whose handlers run under the storage deadline, so a request that waits for storage
/// answers 503 in time whatever it waits for, without a deadline around each store call. The
/// middleware in front (who may call) runs before the deadline starts, and has deadlines of its
/// own. A body is read whole first, up to `bodyLimit`: the deadline must not cut off a body being
/// read, which the server then still reads to its end. GET and HEAD bodies are not read.
struct StorageDeadlineRoutes<Parent: RouterMethods>: RouterMethods {
    typealias Context = Parent.Context

    let parent: Parent
    let bodyLimit: Int
    let limit: Duration

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        let bodyLimit = [.get, .head].contains(method) ? nil : self.bodyLimit
        parent.on(path, method: method, responder: StorageDeadlineResponder(inner: responder, bodyLimit: bodyLimit, limit: limit))
        return self
    }

    /// Middleware added here runs before the deadline starts.
    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        _ = parent.add(middleware: middleware)
        return self
    }
}

struct StorageDeadlineResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context

    let inner: Inner
    let bodyLimit: Int?
    let limit: Duration

    func respond(to request: Request, context: Context) async throws -> Response {
        var whole = request
        if let bodyLimit { whole.body = HummingbirdCore.RequestBody(buffer: try await RequestBody.received(request, limit: bodyLimit)) }
        let (inner, request) = (self.inner, whole)
        return try await withStorageDeadline(limit: limit) { try await inner.respond(to: request, context: context) }
    }
}

extension RouterMethods {
    /// These routes, each under the storage deadline, with bodies up to `bodyLimit` bytes.
    func underStorageDeadline(bodyLimit: Int, limit: Duration = storageDeadline) -> StorageDeadlineRoutes<Self> {
        StorageDeadlineRoutes(parent: self, bodyLimit: bodyLimit, limit: limit)
    }
}
