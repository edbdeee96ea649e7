import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Shared

/// Healthchecks-compatible pings, so runitor, curl one-liners and Healthchecks' client libraries
/// work unchanged: `/ping/<uuid>[/start|/fail|/log|/<0-255>]` and `/ping/<ping-key>/<slug>[/…]`,
/// by HEAD, GET or POST, answering as Healthchecks does (`OK`, `Created`, `not found`,
/// `ambiguous slug`, `invalid url format`). The UUID or the ping key is the credential.
struct PingController<Context: RequestContext> {
    let store: any Store
    let heartbeats: HeartbeatService
    let maxNameLength: Int
    let rateLimit = PingRateLimit()

    /// Bodies are kept up to this many bytes (more is cut, as Healthchecks does).
    static var bodyLimit: Int { 100_000 }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        for path in ["ping/:a", "ping/:a/:b", "ping/:a/:b/:c"] {
            for method in [HTTPRequest.Method.get, .head, .post] { routes.on(RouterPath(path), method: method, use: Self.inPingForm(ping)) }
        }
        for method in [HTTPRequest.Method.get, .post] { routes.on("api/push/:token", method: method, use: kumaPush) }
        routes.get("hb/:token", use: Self.inPingForm(original))
        return routes
    }

    enum Action: Equatable {
        case success, start, fail, log
        case exit(Int)
    }

    @Sendable func ping(_ request: Request, context: Context) async throws -> Response {
        let parts = ["a", "b", "c"].compactMap { context.parameters.get($0) }
        let head = request.method == .head
        let target: PingTarget
        var created = false
        var actionText: String?
        if let first = parts.first, UUID(uuidString: first) != nil {
            guard parts.count <= 2 else { return Self.text("not found", .notFound, head) }
            actionText = parts.count == 2 ? parts[1] : nil
            let found = try await withStorageDeadline { try await store.heartbeats(pingID: first.lowercased()) }
            guard let only = found.first else { return Self.text("not found", .notFound, head) }
            target = only
        } else {
            guard parts.count >= 2 else { return Self.text("not found", .notFound, head) }
            let (key, slug) = (parts[0], parts[1])
            actionText = parts.count == 3 ? parts[2] : nil
            guard slug == slug.lowercased() else { return Self.text("invalid url format", .badRequest, head) }
            guard let host = try await withStorageDeadline({ try await store.pingKeyHost(hash: TokenHash.of(key)) }) else {
                return Self.text("not found", .notFound, head)
            }
            let found = try await withStorageDeadline { try await store.heartbeats(host: host, slug: slug) }
            if found.count > 1 { return Self.text("ambiguous slug", .conflict, head) }
            if let only = found.first {
                target = only
            } else {
                guard request.uri.queryParameters.get("create") == "1" else { return Self.text("not found", .notFound, head) }
                guard Slug.isValid(slug) else { return Self.text("invalid url format", .badRequest, head) }
                // The same names a report may use: `host` and checks of other kinds are not a ping's.
                if let refusal = HeartbeatInput.refusal(ofName: slug, maxLength: maxNameLength) {
                    return Self.text(refusal.message, slug == reservedHostCheckName ? .conflict : refusal.status, head)
                }
                let now = Date()
                do {
                    created = try await withStorageDeadline { try await store.ensureHeartbeat(HeartbeatSpec(host: host, name: slug, slug: slug), now: now) }.created
                } catch let refusal as any StoreRefusal where refusal.status == .conflict {
                    return Self.text(refusal.message, .conflict, head)
                }
                target = PingTarget(host: host, name: slug, status: "new", lastSeen: now)
            }
        }
        guard let action = Self.action(actionText) else {
            // An exit status out of range is a malformed URL; any other word is no route at all.
            if let text = actionText, Int(text) != nil { return Self.text("invalid url format", .badRequest, head) }
            return Self.text("not found", .notFound, head)
        }
        let rid = request.uri.queryParameters.get("rid")
        if let rid, UUID(uuidString: rid) == nil { return Self.text("invalid uuid format", .badRequest, head) }
        try requireRate(target)

        let body = try await Self.body(request)
        let now = Date()
        let kind: PingRecord.Kind
        var exitStatus: Int?
        switch action {
        case .success: kind = .success
        case .start: kind = .start
        case .fail: kind = .fail
        case .log: kind = .log
        case .exit(let code):
            exitStatus = code
            kind = code == 0 ? .success : .fail
        }
        var duration: Double?
        if kind == .success || kind == .fail {
            duration = try await startedAt(target, rid: rid).map { now.timeIntervalSince($0) }
        }
        let record = PingRecord(host: target.host, check: target.name, at: now, kind: kind, exitStatus: exitStatus, rid: rid,
                                method: "\(request.method)", body: body, duration: duration)
        if kind == .log {
            try await withStorageDeadline { try await store.recordPing(record) }
        } else {
            try await ingest(target, record)
        }
        return created ? Self.text("Created", .created, head) : Self.text("OK", .ok, head)
    }

    /// Uptime Kuma's push monitor: `/api/push/<ping id>?status=up|down&msg=&ping=`, answered as
    /// Kuma does (`{"ok": true}`; 404 `{"ok": false, "msg": …}`). `ping` (milliseconds) becomes the value.
    @Sendable func kumaPush(_ request: Request, context: Context) async throws -> Response {
        do { return try await kumaAnswer(request, context: context) } catch {
            guard let error = StorageErrors.answer(error, logger: context.logger) as? APIError else { throw error }
            var response = try Self.kuma(false, error.message, error.status)
            response.headers.append(contentsOf: error.headers)
            return response
        }
    }

    private func kumaAnswer(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let found = try await withStorageDeadline { try await store.heartbeats(pingID: token.lowercased()) }
        guard let target = found.first else { return try Self.kuma(false, "Monitor not found or not active.", .notFound) }
        let query = request.uri.queryParameters
        let down = query.get("status") == "down"
        let message = query.get("msg").map { String($0.prefix(500)) }
        let latency = query.get("ping").flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 / 1000 : nil }
        try requireRate(target)
        let record = PingRecord(host: target.host, check: target.name, at: Date(), kind: down ? .fail : .success, exitStatus: nil, rid: nil,
                                method: "\(request.method)", body: message, duration: latency)
        try await ingest(target, record, error: down ? (message.flatMap { $0.isEmpty ? nil : $0 } ?? "down") : nil)
        return try Self.kuma(true, nil, .ok)
    }

    /// The original metrics server's heartbeat: `GET /hb/<ping id>`, a success.
    @Sendable func original(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let found = try await withStorageDeadline { try await store.heartbeats(pingID: token.lowercased()) }
        guard let target = found.first else { return Self.text("not found", .notFound, false) }
        try requireRate(target)
        try await ingest(target, PingRecord(host: target.host, check: target.name, at: Date(), kind: .success, method: "GET"))
        return Self.text("OK", .ok, false)
    }

    private struct KumaAnswer: Encodable {
        var ok: Bool
        var msg: String?
    }

    static func kuma(_ ok: Bool, _ message: String?, _ status: HTTPResponse.Status) throws -> Response {
        var response = try JSONBody.response(KumaAnswer(ok: ok, msg: message), status: status)
        response.headers[.cacheControl] = noCache
        return response
    }

    private func ingest(_ target: PingTarget, _ ping: PingRecord, error: String? = nil) async throws {
        try await withStorageDeadline { try await heartbeats.record(ping, for: target, error: error) }
    }

    /// When the run this ping ends began: the start with the same run id, else the running start.
    private func startedAt(_ target: PingTarget, rid: String?) async throws -> Date? {
        if let rid {
            let recent = try await withStorageDeadline { try await store.pings(host: target.host, check: target.name, limit: 100) }
            return recent.first { $0.kind == .start && $0.rid == rid }?.at
        }
        return target.status == ObservationStatus.start ? target.lastSeen : nil
    }

    static func action(_ text: String?) -> Action? {
        switch text {
        case nil: return .success
        case "start": return .start
        case "fail": return .fail
        case "log": return .log
        case let digits? where !digits.isEmpty && digits.count <= 3 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber):
            guard let code = Int(digits), code <= 255 else { return nil }
            return .exit(code)
        default: return nil
        }
    }

    static func body(_ request: Request) async throws -> String? {
        let buffer = try await RequestBody.collect(request, limit: 1 << 20)
        guard buffer.readableBytes > 0 else { return nil }
        let bytes = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, bodyLimit)) ?? []
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "")
    }

    /// One check's pings beyond its rate: 429, in each route's own form.
    private func requireRate(_ target: PingTarget) throws {
        guard rateLimit.allow(host: target.host, check: target.name) else { throw APIError(.tooManyRequests, "rate limited") }
    }

    /// Errors (a full queue, the check limit, storage down) answered as pings are: text, never cached.
    static func inPingForm(_ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            do { return try await handler(request, context) } catch {
                guard let error = StorageErrors.answer(error, logger: context.logger) as? APIError else { throw error }
                var response = text(error.message, error.status, request.method == .head)
                response.headers.append(contentsOf: error.headers)
                return response
            }
        }
    }

    /// What Healthchecks sends (Django's never_cache): a proxy that cached a GET ping would eat heartbeats.
    static var noCache: String { "max-age=0, no-cache, no-store, must-revalidate, private" }

    static func text(_ text: String, _ status: HTTPResponse.Status, _ head: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .accessControlAllowOrigin: "*", .cacheControl: noCache]
        headers[HTTPField.Name("Ping-Body-Limit")!] = String(bodyLimit)
        headers[HTTPField.Name("Access-Control-Expose-Headers")!] = "Ping-Body-Limit"
        return Response(status: status, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
