import Foundation
import Hummingbird
import Shared

/// `/dashboard`: a summary per host and every check, alerts first, with filters in the URL; and
/// the sparklines its rows load lazily, so the page itself never waits on samples.
struct DashboardController: Sendable {
    let pages: WebPages
    let leadership: Leadership
    static let pageSize = 200
    static let summaryLimit = 100

    func add(to routes: PageRoutes) {
        routes.anyone.get("/", use: root)
        routes.users
            .get("dashboard", use: dashboard)
            .get("sparkline.svg", use: sparkline)
    }

    @Sendable func root(_ request: Request, context: AppRequestContext) async throws -> Response {
        PageRedirect(to: "/dashboard").response
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let query = request.uri.queryParameters
        let hostFilter = query.get("host").flatMap { $0.isEmpty ? nil : String($0.prefix(256)) }
        let stateText = query.get("state") ?? ""
        let state = CheckState(rawValue: stateText)
        guard stateText.isEmpty || state != nil else { throw PageError(.badRequest, "The state filter must be ok, alert or no-data.") }
        let tagFilter = query.get("tag").flatMap { $0.isEmpty ? nil : $0 }
        if let tagFilter {
            do { try HostTags.check([tagFilter], field: "tag") } catch { throw PageError(.badRequest, "The tag filter \(error.message)") }
        }
        let page = max(1, min(100_000, query.get("page").flatMap { Int($0) } ?? 1))
        let now = Date()
        let settings = pages.config.alerting.settings
        let start = (page - 1) * Self.pageSize
        let (hosts, counts, shown) = try await (pages.store.hosts(), pages.store.checkCounts(host: hostFilter, tag: tagFilter),
                                                pages.store.checksPage(host: hostFilter, tag: tagFilter, state: state, offset: start, limit: Self.pageSize))
        // The summary counts every check of the shown hosts; the table applies the state filter.
        let shownHosts = hosts.filter { (hostFilter == nil || $0.name == hostFilter) && (tagFilter.map($0.tags.contains) ?? true) }
        // Hosts with problems first; a big fleet shows its first `summaryLimit` and a link to all.
        let allHosts = query.get("hosts") == "all"
        let summary: [[String: Any]] = shownHosts.sorted { a, b in
            let (ca, cb) = (counts[a.name]?.alert ?? 0, counts[b.name]?.alert ?? 0)
            return ca != cb ? ca > cb : a.name < b.name
        }.prefix(allHosts ? Int.max : Self.summaryLimit).map { host in
            let count = counts[host.name] ?? CheckCounts()
            let maintenance = settings.maintenance.open(at: now, host: host.name, tags: host.tags).map(\.until).max()
            return ["host": host.name, "hostURL": URLText.hostPage(host.name), "tags": URLText.tagLinks(host.tags), "ok": count.ok, "alert": count.alert,
                    "maintenanceUntil": maintenance.map(TimeText.utc) ?? false, "maintenanceUntilISO": maintenance.map(TimeText.iso) ?? "",
                    "noData": count.noData, "lastReportAgo": TimeText.ago(host.lastReportAt, now: now),
                    "lastReportISO": TimeText.iso(host.lastReportAt), "state": count.alert > 0 ? "alert" : count.noData > 0 ? "no-data" : "ok"]
        }
        let total = counts.values.reduce(CheckCounts()) { sum, count in
            var sum = sum
            for state in CheckState.allCases { sum.add(state, count.count(state)) }
            return sum
        }
        let matching = state.map { total.count($0) } ?? total.total
        let filters: [(String, String?)] = [("host", hostFilter), ("tag", tagFilter), ("state", state?.rawValue), ("hosts", allHosts ? "all" : nil)]
        let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let tagsOf = Dictionary(hosts.map { ($0.name, $0.tags) }, uniquingKeysWith: { first, _ in first })
        var model: [String: Any] = [
            "summary": summary,
            "checks": shown.map {
                CheckRows.row($0, now: now, csrf: session.csrfToken, back: back, maintenanceUntil: settings.maintenanceUntil($0, tags: tagsOf[$0.host] ?? [], now: now))
            },
            "hostFilter": hostFilter ?? "", "hostNames": hosts.map(\.name),
            // The filter in use stays in the menu even when no host has that tag (any more).
            "tagOptions": Set(hosts.flatMap(\.tags) + (tagFilter.map { [$0] } ?? [])).sorted().map {
                ["value": $0, "selected": $0 == tagFilter] as [String: Any]
            },
            "hasTags": tagFilter != nil || hosts.contains { !$0.tags.isEmpty },
            "states": [("", "any state"), ("alert", "alert"), ("no-data", "no data"), ("ok", "ok")].map { value, label in
                ["value": value, "label": label, "selected": value == stateText] as [String: Any]
            },
            "totals": ["hosts": shownHosts.count, "checks": matching, "alert": total.alert, "noData": total.noData],
            "back": back,
        ]
        if shown.isEmpty { model["empty"] = true }
        if let status = try? await leadership.status(), let leader = status.leader {
            model["evaluation"] = ["leader": leader, "beatAgo": TimeText.span(Int(status.leaderBeatAgeSeconds ?? 0)), "stale": status.leaderStale,
                                   "leading": status.leading, "backend": status.backend]
        }
        if !allHosts && shownHosts.count > Self.summaryLimit {
            model["allHostsURL"] = "/dashboard?" + URLText.queryString([("host", hostFilter), ("tag", tagFilter), ("state", state?.rawValue), ("hosts", "all")])
            model["hiddenHosts"] = shownHosts.count - Self.summaryLimit
        }
        if start + Self.pageSize < matching {
            model["nextPage"] = "/dashboard?" + URLText.queryString(filters + [("page", String(page + 1))])
        }
        if page > 1 { model["previousPage"] = "/dashboard?" + URLText.queryString(filters + [("page", page > 2 ? String(page - 1) : nil)]) }
        if matching > Self.pageSize {
            model["range"] = "\(start + 1)–\(min(matching, start + Self.pageSize)) of \(matching)"
        }
        return pages.render("dashboard", request: request, session: session, title: "Dashboard", nav: "dashboard", model)
    }

    /// `GET /sparkline.svg?host=&name=`: the last 24 hours of one check.
    @Sendable func sparkline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let host = query.get("host"), let name = query.get("name"), host.utf8.count <= 1024, name.utf8.count <= 1024 else {
            throw PageError(.badRequest, "host and name are required")
        }
        let to = Date(), from = to.addingTimeInterval(-86400)
        let samples = try await pages.store.samples(host: host, name: name, from: from, to: to, limit: 5000)
        guard let samples else { throw PageError(.notFound, "no such check") }
        let unit = query.get("unit").map { String($0.prefix(16)) }
        let state = CheckState(rawValue: query.get("state") ?? "")?.rawValue ?? "ok"
        var headers = Views.headers(contentType: "image/svg+xml")
        headers[.cacheControl] = "private, max-age=60"
        return Response(status: .ok, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: SVGChart.sparkline(samples, from: from, to: to, unit: unit, state: state))))
    }
}
